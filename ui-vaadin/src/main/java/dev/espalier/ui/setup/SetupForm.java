package dev.espalier.ui.setup;

import com.vaadin.flow.component.Component;
import com.vaadin.flow.component.HasValidation;
import com.vaadin.flow.component.checkbox.CheckboxGroup;
import com.vaadin.flow.component.formlayout.FormLayout;
import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.radiobutton.RadioButtonGroup;
import com.vaadin.flow.component.textfield.IntegerField;
import com.vaadin.flow.component.textfield.NumberField;
import com.vaadin.flow.component.textfield.TextArea;
import com.vaadin.flow.component.textfield.TextField;
import dev.espalier.events.SessionConfig;
import dev.espalier.events.SessionConfig.Lora;
import dev.espalier.events.SessionConfig.Objective;
import dev.espalier.events.SessionConfig.PromptFormat;
import dev.espalier.events.SessionConfig.PromptSourceSpec;
import dev.espalier.events.SessionConfig.Sampling;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Every option of a session (DESIGN.md §1), each field filled with its default from {@link SessionConfig} and
 * saying so. {@link #validate} checks the form with the very rules session-service applies (the
 * {@link SessionConfig} constructors), so a bad value is marked on its field before anything is sent.
 */
public class SetupForm extends FormLayout {

    final TextField model = new TextField("Model");
    final RadioButtonGroup<PromptSourceSpec.Kind> promptKind = new RadioButtonGroup<>("Prompt source");
    final TextField promptLocation = new TextField("Prompt file or dataset id");
    final TextField promptRevision = new TextField("Dataset revision");
    final TextField promptColumn = new TextField("Text column");
    final TextArea typedPrompts = new TextArea("Typed prompts, one per line");
    final IntegerField promptOrderSeed = new IntegerField("Prompt order seed");
    final RadioButtonGroup<PromptFormat.Mode> mode = new RadioButtonGroup<>("Mode");
    final TextArea systemPrompt = new TextArea("System prompt");
    final TextField prefix = new TextField("Raw prefix");
    final TextField suffix = new TextField("Raw suffix");
    final IntegerField groupSize = new IntegerField("Group size N");
    final NumberField temperature = new NumberField("Temperature");
    final NumberField minP = new NumberField("min-p");
    final NumberField topP = new NumberField("top-p");
    final IntegerField maxNewTokens = new IntegerField("Max new tokens");
    final TextField seed = new TextField("Seed");
    final IntegerField loraRank = new IntegerField("LoRA r");
    final NumberField loraAlpha = new NumberField("LoRA alpha");
    final CheckboxGroup<String> loraTargets = new CheckboxGroup<>("LoRA targets");
    final RadioButtonGroup<Objective> objective = new RadioButtonGroup<>("Objective");
    final TextField learningRate = new TextField("Learning rate");
    final NumberField klBeta = new NumberField("KL beta");
    final NumberField weightDecay = new NumberField("Weight decay");
    final NumberField maxGradNorm = new NumberField("Max grad norm");
    final NumberField dpoBeta = new NumberField("DPO beta");
    final IntegerField checkpointEvery = new IntegerField("Checkpoint every K steps");
    final TextArea controlPrompt = new TextArea("Control prompt (optional)");

    /** Form fields by the name session-service uses for them in errors. */
    private final Map<String, HasValidation> byArgument = new LinkedHashMap<>();

    public SetupForm() {
        setId("setup-form");
        setResponsiveSteps(new ResponsiveStep("0", 1), new ResponsiveStep("40em", 2), new ResponsiveStep("70em", 3));
        model.setPlaceholder("HF id (org/name) or a local directory");
        model.setRequiredIndicatorVisible(true);
        promptKind.setItems(PromptSourceSpec.Kind.TYPED, PromptSourceSpec.Kind.LOCAL_FILE,
                PromptSourceSpec.Kind.HF_DATASET);
        promptKind.setItemLabelGenerator(k -> switch (k) {
            case TYPED -> "typed";
            case LOCAL_FILE -> "local JSONL/CSV/TXT/Parquet";
            case HF_DATASET -> "HF dataset";
        });
        promptKind.setValue(PromptSourceSpec.Kind.TYPED);
        promptKind.addValueChangeListener(e -> showPromptFields());
        promptColumn.setPlaceholder("guessed when empty");
        promptOrderSeed.setHelperText("default: the sampling seed");
        mode.setItems(PromptFormat.Mode.values());
        mode.setValue(PromptFormat.Mode.CHAT);
        mode.addValueChangeListener(e -> showModeFields());
        mode.setHelperText("default CHAT: the model's chat template");

        defaults(groupSize, SessionConfig.DEFAULT_GROUP_SIZE);
        defaults(temperature, Sampling.DEFAULT_TEMPERATURE);
        defaults(minP, Sampling.DEFAULT_MIN_P);
        defaults(topP, Sampling.DEFAULT_TOP_P);
        defaults(maxNewTokens, Sampling.DEFAULT_MAX_NEW_TOKENS);
        seed.setHelperText("default: drawn at random and recorded");
        defaults(loraRank, Lora.DEFAULT_RANK);
        defaults(loraAlpha, Lora.DEFAULT_ALPHA);
        loraTargets.setItems(Lora.DEFAULT_TARGETS);
        loraTargets.setValue(new LinkedHashSet<>(Lora.DEFAULT_TARGETS));
        loraTargets.setHelperText("default: all seven");
        objective.setItems(Objective.values());
        objective.setValue(Objective.GRPO);
        objective.setHelperText("default GRPO");
        learningRate.setValue(Double.toString(SessionConfig.DEFAULT_LEARNING_RATE));
        learningRate.setHelperText("default " + SessionConfig.DEFAULT_LEARNING_RATE);
        defaults(klBeta, SessionConfig.DEFAULT_KL_BETA);
        defaults(weightDecay, SessionConfig.DEFAULT_WEIGHT_DECAY);
        defaults(maxGradNorm, SessionConfig.DEFAULT_MAX_GRAD_NORM);
        maxGradNorm.setHelperText("default " + SessionConfig.DEFAULT_MAX_GRAD_NORM + "; 0 = no clipping");
        defaults(dpoBeta, SessionConfig.DEFAULT_DPO_BETA);
        defaults(checkpointEvery, SessionConfig.DEFAULT_CHECKPOINT_EVERY);
        controlPrompt.setHelperText("answered at every step, to watch the model move");

        add(new H3("Model and prompts"), 3);
        add(model, promptKind);
        add(promptLocation, promptRevision, promptColumn);
        add(typedPrompts, 2);
        add(promptOrderSeed);
        add(new H3("Format"), 3);
        add(mode, systemPrompt, prefix, suffix);
        add(new H3("Sampling"), 3);
        add(groupSize, temperature, minP, topP, maxNewTokens, seed);
        add(new H3("Training"), 3);
        add(objective, learningRate, klBeta, weightDecay, maxGradNorm, dpoBeta, loraRank, loraAlpha,
                checkpointEvery);
        add(loraTargets, 3);
        add(controlPrompt, 3);

        byArgument.put("model", model);
        byArgument.put("prompts", promptLocation);
        byArgument.put("prompts.kind", promptKind);
        byArgument.put("prompts.location", promptLocation);
        byArgument.put("prompts.typed", typedPrompts);
        byArgument.put("format.mode", mode);
        byArgument.put("format.systemPrompt", systemPrompt);
        byArgument.put("groupSize", groupSize);
        byArgument.put("sampling.temperature", temperature);
        byArgument.put("sampling.minP", minP);
        byArgument.put("sampling.topP", topP);
        byArgument.put("sampling.maxNewTokens", maxNewTokens);
        byArgument.put("sampling.seed", seed);
        byArgument.put("lora.rank", loraRank);
        byArgument.put("lora.alpha", loraAlpha);
        byArgument.put("lora.targets", loraTargets);
        byArgument.put("objective", objective);
        byArgument.put("learningRate", learningRate);
        byArgument.put("klBeta", klBeta);
        byArgument.put("weightDecay", weightDecay);
        byArgument.put("maxGradNorm", maxGradNorm);
        byArgument.put("dpoBeta", dpoBeta);
        byArgument.put("checkpointEvery", checkpointEvery);
        byArgument.put("controlPrompt", controlPrompt);
        byArgument.forEach((argument, field) -> ((Component) field).setId("field-" + argument.replace('.', '-')));
        showPromptFields();
        showModeFields();
    }

    private static void defaults(NumberField field, double value) {
        field.setValue(value);
        field.setHelperText("default " + value);
    }

    private static void defaults(IntegerField field, int value) {
        field.setValue(value);
        field.setHelperText("default " + value);
    }

    private void showPromptFields() {
        boolean typed = promptKind.getValue() == PromptSourceSpec.Kind.TYPED;
        boolean hf = promptKind.getValue() == PromptSourceSpec.Kind.HF_DATASET;
        typedPrompts.setVisible(typed);
        promptLocation.setVisible(!typed);
        promptColumn.setVisible(!typed);
        promptRevision.setVisible(hf);
    }

    private void showModeFields() {
        boolean raw = mode.getValue() == PromptFormat.Mode.RAW;
        prefix.setVisible(raw);
        suffix.setVisible(raw);
    }

    public List<String> typedLines() {
        String text = typedPrompts.getValue() == null ? "" : typedPrompts.getValue();
        return Arrays.stream(text.split("\n")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /** Fills in the model the deployment serves, and says so: another model would be answered by this one. */
    void serve(String servedModel) {
        model.setValue(servedModel);
        model.setHelperText("the model this deployment serves");
    }

    /**
     * Checks every field as session-service would and marks the first one at fault.
     *
     * @return the request body for {@code POST /sessions}, or null when a field is invalid
     */
    public Map<String, Object> validate() {
        byArgument.values().forEach(f -> f.setInvalid(false));
        try {
            Map<String, Object> request = request();
            SetupRules.check(request);
            return request;
        } catch (SessionConfig.InvalidConfigException e) {
            markInvalid(e.field(), e.getMessage());
            return null;
        }
    }

    /** Marks the field session-service named; returns whether the form has such a field. */
    public boolean markInvalid(String argument, String message) {
        String key = argument == null ? "" : argument.replaceAll("\\[\\d+]$", "");
        HasValidation field = byArgument.get(key);
        if (field == null) {
            return false;
        }
        field.setErrorMessage(message);
        field.setInvalid(true);
        return true;
    }

    /**
     * The "prompts" part of the request, for session-service's prompt preview. Its order seed falls back to the
     * sampling seed as session creation does, so the preview shows the order the session would play.
     */
    public Map<String, Object> promptsRequest() {
        Map<String, Object> prompts = prompts();
        if (prompts.get("orderSeed") == null) {
            prompts.put("orderSeed", parseLong(seed.getValue(), "sampling.seed"));
        }
        return prompts;
    }

    private Map<String, Object> prompts() {
        Map<String, Object> prompts = new LinkedHashMap<>();
        prompts.put("kind", promptKind.getValue());
        if (promptKind.getValue() == PromptSourceSpec.Kind.TYPED) {
            prompts.put("typed", typedLines());
        } else {
            prompts.put("location", blankToNull(promptLocation.getValue()));
            prompts.put("revision", blankToNull(promptRevision.getValue()));
            prompts.put("textColumn", blankToNull(promptColumn.getValue()));
        }
        prompts.put("orderSeed", promptOrderSeed.getValue() == null ? null : promptOrderSeed.getValue().longValue());
        return prompts;
    }

    private Map<String, Object> request() {
        Map<String, Object> prompts = prompts();
        Map<String, Object> sampling = new LinkedHashMap<>();
        sampling.put("temperature", required(temperature, "sampling.temperature"));
        sampling.put("minP", required(minP, "sampling.minP"));
        sampling.put("topP", required(topP, "sampling.topP"));
        sampling.put("maxNewTokens", required(maxNewTokens, "sampling.maxNewTokens"));
        sampling.put("seed", parseLong(seed.getValue(), "sampling.seed"));
        Map<String, Object> lora = new LinkedHashMap<>();
        lora.put("rank", required(loraRank, "lora.rank"));
        lora.put("alpha", required(loraAlpha, "lora.alpha"));
        lora.put("targets", loraTargets.getValue().stream().sorted(
                (a, b) -> Lora.DEFAULT_TARGETS.indexOf(a) - Lora.DEFAULT_TARGETS.indexOf(b)).toList());
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("model", blankToNull(model.getValue()));
        request.put("prompts", prompts);
        request.put("mode", mode.getValue());
        request.put("systemPrompt", blankToNull(systemPrompt.getValue()));
        request.put("prefix", prefix.getValue());
        request.put("suffix", suffix.getValue());
        request.put("groupSize", required(groupSize, "groupSize"));
        request.put("sampling", sampling);
        request.put("lora", lora);
        request.put("objective", objective.getValue());
        request.put("learningRate", parseDouble(learningRate.getValue(), "learningRate"));
        request.put("klBeta", required(klBeta, "klBeta"));
        request.put("weightDecay", required(weightDecay, "weightDecay"));
        request.put("maxGradNorm", required(maxGradNorm, "maxGradNorm"));
        request.put("dpoBeta", required(dpoBeta, "dpoBeta"));
        request.put("checkpointEvery", required(checkpointEvery, "checkpointEvery"));
        request.put("controlPrompt", blankToNull(controlPrompt.getValue()));
        return request;
    }

    /** Fills the form from an earlier session's settings ("clone settings"). */
    public void fill(SessionConfig config) {
        model.setValue(config.model());
        PromptSourceSpec prompts = config.prompts();
        promptKind.setValue(prompts.kind());
        promptLocation.setValue(nullToBlank(prompts.location()));
        promptRevision.setValue(nullToBlank(prompts.revision()));
        promptColumn.setValue(nullToBlank(prompts.textColumn()));
        typedPrompts.setValue(String.join("\n", prompts.typed()));
        mode.setValue(config.format().mode());
        systemPrompt.setValue(nullToBlank(config.format().systemPrompt()));
        prefix.setValue(config.format().prefix());
        suffix.setValue(config.format().suffix());
        groupSize.setValue(config.groupSize());
        temperature.setValue(config.sampling().temperature());
        minP.setValue(config.sampling().minP());
        topP.setValue(config.sampling().topP());
        maxNewTokens.setValue(config.sampling().maxNewTokens());
        seed.setValue(Long.toString(config.sampling().seed()));
        loraRank.setValue(config.lora().rank());
        loraAlpha.setValue(config.lora().alpha());
        loraTargets.setValue(new LinkedHashSet<>(config.lora().targets()));
        objective.setValue(config.objective());
        learningRate.setValue(Double.toString(config.learningRate()));
        klBeta.setValue(config.klBeta());
        weightDecay.setValue(config.weightDecay());
        maxGradNorm.setValue(config.maxGradNorm());
        dpoBeta.setValue(config.dpoBeta());
        checkpointEvery.setValue(config.checkpointEvery());
        controlPrompt.setValue(nullToBlank(config.controlPrompt()));
    }

    private static <T> T required(com.vaadin.flow.component.HasValue<?, T> field, String argument) {
        if (field.getValue() == null) {
            throw new SessionConfig.InvalidConfigException(argument, "needs a number");
        }
        return field.getValue();
    }

    private static Double parseDouble(String text, String argument) {
        try {
            return Double.parseDouble(text.strip());
        } catch (NumberFormatException | NullPointerException e) {
            throw new SessionConfig.InvalidConfigException(argument, "needs a number such as 2e-5, was \""
                    + text + "\"");
        }
    }

    private static Long parseLong(String text, String argument) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            throw new SessionConfig.InvalidConfigException(argument, "needs a whole number, was \"" + text + "\"");
        }
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text;
    }

    private static String nullToBlank(String text) {
        return text == null ? "" : text;
    }
}
