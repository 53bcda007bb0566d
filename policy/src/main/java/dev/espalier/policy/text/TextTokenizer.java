package dev.espalier.policy.text;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;

/**
 * A Hugging Face tokenizer (tokenizer.json through DJL's binding of the Rust tokenizers library) with its
 * tokenizer_config.json: encode, decode, special token ids, the chat template.
 *
 * <p>DJL's defaults would truncate to 512 tokens and add special tokens (DESIGN.md §7); here nothing is truncated
 * or padded, and {@link #encode} adds nothing: special tokens come only from the text (chat templates write them).
 * {@link #encodeWithSpecialTokens} applies tokenizer.json's post-processor, as transformers' {@code tokenizer(text)}
 * does. Token ids are ints: every vocabulary fits.
 *
 * <p>encode/decode may be called from several threads (checked: 8 threads × 5,000 calls, identical results);
 * close it to free the native tokenizer.
 */
public final class TextTokenizer implements AutoCloseable {

    public static final String FILE = "tokenizer.json";
    public static final String GENERATION_CONFIG = "generation_config.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final HuggingFaceTokenizer tokenizer;
    private final TokenizerConfig config;
    private final Optional<ChatTemplate> chatTemplate;

    private TextTokenizer(Path dir, HuggingFaceTokenizer tokenizer, TokenizerConfig config) {
        this.dir = dir;
        this.tokenizer = tokenizer;
        this.config = config;
        this.chatTemplate = config.chatTemplate().map(ChatTemplate::of);
    }

    /**
     * Loads {@code dir/tokenizer.json} and, when present, {@code dir/tokenizer_config.json}.
     *
     * @throws IllegalArgumentException naming the file when tokenizer.json is missing or unreadable
     */
    public static TextTokenizer load(Path dir) {
        Objects.requireNonNull(dir, "tokenizer dir");
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no " + FILE + " in " + dir.toAbsolutePath()
                    + " (expected a Hugging Face model or tokenizer folder)");
        }
        TokenizerConfig config = TokenizerConfig.read(dir);
        Map<String, String> options = Map.of(
                "addSpecialTokens", "false",
                "truncation", "false",
                "padding", "false");
        try {
            return new TextTokenizer(dir, HuggingFaceTokenizer.newInstance(file, options), config);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot load " + file + ": " + e.getMessage(), e);
        }
    }

    public Path dir() {
        return dir;
    }

    public TokenizerConfig config() {
        return config;
    }

    /** Token ids of {@code text}; special tokens written in it are recognised, none are added. */
    public int[] encode(String text) {
        return toInts(tokenizer.encode(text, false, false).getIds());
    }

    /** Token ids as transformers' {@code tokenizer(text)} gives them: tokenizer.json's post-processor adds its tokens. */
    public int[] encodeWithSpecialTokens(String text) {
        return toInts(tokenizer.encode(text, true, false).getIds());
    }

    /** The text of {@code ids}, special tokens included (transformers' {@code decode(ids)}). */
    public String decode(int[] ids) {
        return decode(ids, false);
    }

    public String decode(int[] ids, boolean skipSpecialTokens) {
        return tokenizer.decode(Arrays.stream(ids).asLongStream().toArray(), skipSpecialTokens);
    }

    /** The id of a token written as text, when it is exactly one token (special tokens are). */
    public OptionalInt tokenId(String token) {
        int[] ids = encode(token);
        return ids.length == 1 ? OptionalInt.of(ids[0]) : OptionalInt.empty();
    }

    public OptionalInt bosId() {
        return config.bosToken().map(this::tokenId).orElse(OptionalInt.empty());
    }

    /** The id of eos_token; for chat models the end of an assistant turn (e.g. Qwen3's {@code <|im_end|>}). */
    public OptionalInt eosId() {
        return config.eosToken().map(this::tokenId).orElse(OptionalInt.empty());
    }

    public OptionalInt padId() {
        return config.padToken().map(this::tokenId).orElse(OptionalInt.empty());
    }

    public Optional<ChatTemplate> chatTemplate() {
        return chatTemplate;
    }

    /**
     * The conversation rendered by the chat template with the special token variables transformers passes
     * (bos_token, eos_token, pad_token, unk_token), as {@code apply_chat_template(..., tokenize=False)}.
     *
     * @throws IllegalStateException naming the folder when the tokenizer has no chat template
     * @throws ChatTemplateException when the template raises or fails
     */
    public String applyChatTemplate(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return applyChatTemplate(messages, addGenerationPrompt, Map.of());
    }

    /**
     * As {@link #applyChatTemplate(List, boolean)}, with further template variables, e.g. Qwen3's
     * {@code enable_thinking=false} (like keyword arguments to transformers' {@code apply_chat_template}).
     */
    public String applyChatTemplate(List<ChatMessage> messages, boolean addGenerationPrompt,
                                    Map<String, ?> templateVariables) {
        ChatTemplate template = chatTemplate.orElseThrow(() -> new IllegalStateException(
                "the tokenizer in " + dir + " has no chat_template (" + TokenizerConfig.FILE + "): use raw mode"));
        Map<String, Object> variables = new HashMap<>();
        config.bosToken().ifPresent(t -> variables.put("bos_token", t));
        config.eosToken().ifPresent(t -> variables.put("eos_token", t));
        config.padToken().ifPresent(t -> variables.put("pad_token", t));
        config.unkToken().ifPresent(t -> variables.put("unk_token", t));
        variables.putAll(templateVariables);
        return template.render(messages, addGenerationPrompt, variables);
    }

    /**
     * Token ids that end a completion: eos_token's id plus {@code eos_token_id} of generation_config.json (an int or
     * a list) when the folder has that file. Chat models often stop on several, e.g. Qwen3 on {@code <|im_end|>}
     * and {@code <|endoftext|>}.
     *
     * @throws IllegalArgumentException naming generation_config.json when it is not valid JSON
     */
    public Set<Integer> stopIds() {
        Set<Integer> ids = new TreeSet<>();
        eosId().ifPresent(ids::add);
        Path file = dir.resolve(GENERATION_CONFIG);
        if (Files.isRegularFile(file)) {
            try {
                JsonNode eos = JSON.readTree(file.toFile()).path("eos_token_id");
                if (eos.isInt()) {
                    ids.add(eos.asInt());
                }
                eos.forEach(id -> ids.add(id.asInt()));
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
            }
        }
        return Collections.unmodifiableSet(ids);
    }

    /** A decoder for one completion's tokens as they are generated; special tokens are left out of its text. */
    public StreamingDecoder streamingDecoder() {
        return new StreamingDecoder(this, true);
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    private static int[] toInts(long[] ids) {
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }
}
