package dev.espalier.policy.text;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import jinjava.javax.el.CompositeELResolver;

/**
 * A Hugging Face chat template rendered as transformers renders it ({@code apply_chat_template(..., tokenize=False)}):
 * Jinja with {@code trim_blocks} and {@code lstrip_blocks}, {@code raise_exception}, {@code strftime_now}, a
 * {@code tojson} that writes like Python's {@code json.dumps}, and Python string methods.
 *
 * <p>The engine is jinjava; where it parses or behaves differently from Python Jinja, {@link TemplateTranslator},
 * {@link PythonStringMethods} and {@link TemplateFunctions} close the gap, each pinned by
 * golden/tokenizer/template_features.json. Known remaining differences: printing a boolean or None gives
 * {@code true}/{@code ""} instead of {@code True}/{@code None}, loop filters ({@code for x in xs if c}) are ignored,
 * and a dict literal ending in {@code }}} inside {@code {{ }}} ends the expression early (write {@code } }}).
 * The templates tested print strings only and use none of these.
 */
public final class ChatTemplate {

    private static final Jinjava JINJAVA = newEngine();
    /**
     * jinjava's {@code is defined} looks at variables only, and templates test functions with it
     * ({@code strftime_now is defined} picks today's date over a fixed one in Llama 3.x templates).
     */
    private static final Map<String, Object> GLOBALS_AS_VALUES = Map.of(
            "raise_exception", "function", "strftime_now", "function");

    private final String source;
    private final String translated;

    private ChatTemplate(String source) {
        this.source = source;
        this.translated = TemplateTranslator.translate(source);
    }

    public static ChatTemplate of(String source) {
        Objects.requireNonNull(source, "chat template");
        return new ChatTemplate(source);
    }

    /** The template as written in tokenizer_config.json. */
    public String source() {
        return source;
    }

    /**
     * Renders a conversation.
     *
     * @param variables further template variables (bos_token, eos_token, enable_thinking, ...)
     * @throws ChatTemplateException with the template's message when it calls {@code raise_exception}, or with the
     *                               line and cause when it does not parse or evaluate
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, ?> variables) {
        Map<String, Object> context = new HashMap<>(variables);
        context.put("messages", messages.stream().map(ChatMessage::asTemplateValue).toList());
        context.put("add_generation_prompt", addGenerationPrompt);
        return renderWith(context);
    }

    /** Renders with exactly these variables (tests and templates that need more than messages). */
    public String renderWith(Map<String, ?> context) {
        Map<String, Object> values = new HashMap<>(GLOBALS_AS_VALUES);
        values.putAll(context);
        RenderResult result = JINJAVA.renderForResult(translated, values);
        Optional<TemplateError> fatal = result.getErrors().stream()
                .filter(e -> e.getSeverity() == TemplateError.ErrorType.FATAL)
                .findFirst();
        if (fatal.isPresent()) {
            throw failure(fatal.get());
        }
        return result.getOutput();
    }

    private static ChatTemplateException failure(TemplateError error) {
        for (Throwable t = error.getException(); t != null; t = t.getCause()) {
            if (t instanceof TemplateFunctions.Raised raised) {
                return new ChatTemplateException("chat template raised an error: " + raised.getMessage());
            }
        }
        return new ChatTemplateException("chat template failed at line " + error.getLineno() + ": "
                + error.getMessage());
    }

    private static Jinjava newEngine() {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonStringMethods());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
        Jinjava jinjava = new Jinjava(JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                // jinjava would otherwise render Jinja syntax found in message text: user text is data
                .withNestedInterpretationEnabled(false)
                .withElResolver(resolver)
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withUseTrimmingForNotesAndExpressions(true) // {{- x }} trims like Jinja
                        .withUseNaturalOperatorPrecedence(true)
                        .withKeepNullableLoopValues(true)
                        .withIterateOverMapKeys(true) // for k in dict: keys, as in Python
                        .build())
                .build());
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception",
                TemplateFunctions.class, "raiseException", Object.class));
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "strftime_now",
                TemplateFunctions.class, "strftimeNow", String.class));
        jinjava.getGlobalContext().registerFilter(new TemplateFunctions.ToJson());
        jinjava.getGlobalContext().registerExpTest(new TemplateFunctions.Iterable());
        jinjava.getGlobalContext().registerExpTest(new TemplateFunctions.IsNone());
        jinjava.getGlobalContext().registerExpTest(new TemplateFunctions.IsSequence());
        jinjava.getGlobalContext().registerFilter(new TemplateFunctions.Items());
        jinjava.getGlobalContext().registerFilter(new TemplateFunctions.Trim());
        return jinjava;
    }
}
