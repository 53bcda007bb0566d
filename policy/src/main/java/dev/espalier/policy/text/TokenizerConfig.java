package dev.espalier.policy.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What tokenizer_config.json (and chat_template.jinja, which transformers prefers when present) says beyond
 * tokenizer.json: the chat template and the names of the special tokens.
 *
 * @param chatTemplate   the template transformers would use by default, if any
 * @param namedTemplates all named templates when the config holds a list of {name, template} (e.g. "tool_use")
 * @param bosToken       beginning-of-sequence token text, if the model has one
 * @param eosToken       end-of-sequence token text (where a chat turn ends for chat models)
 * @param padToken       padding token text
 * @param unkToken       unknown token text
 */
public record TokenizerConfig(Optional<String> chatTemplate, Map<String, String> namedTemplates,
                              Optional<String> bosToken, Optional<String> eosToken, Optional<String> padToken,
                              Optional<String> unkToken) {

    public static final String FILE = "tokenizer_config.json";
    public static final String TEMPLATE_FILE = "chat_template.jinja";

    private static final ObjectMapper JSON = new ObjectMapper();

    public TokenizerConfig {
        namedTemplates = Map.copyOf(namedTemplates);
    }

    /** No config file: no template, no special tokens known beyond tokenizer.json. */
    public static TokenizerConfig empty() {
        return new TokenizerConfig(Optional.empty(), Map.of(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty());
    }

    /** Reads {@code dir/tokenizer_config.json} and {@code dir/chat_template.jinja}; either may be absent. */
    public static TokenizerConfig read(Path dir) {
        Path file = dir.resolve(FILE);
        JsonNode json;
        try {
            json = Files.isRegularFile(file) ? JSON.readTree(file.toFile()) : JSON.createObjectNode();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> named = new LinkedHashMap<>();
        Optional<String> template = Optional.empty();
        JsonNode t = json.path("chat_template");
        if (t.isTextual()) {
            template = Optional.of(t.asText());
        } else if (t.isArray()) {
            t.forEach(entry -> named.put(entry.path("name").asText(), entry.path("template").asText()));
            template = Optional.ofNullable(named.get("default"))
                    .or(() -> named.size() == 1 ? named.values().stream().findFirst() : Optional.empty());
        }
        Path templateFile = dir.resolve(TEMPLATE_FILE);
        if (Files.isRegularFile(templateFile)) {
            try {
                template = Optional.of(Files.readString(templateFile));
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read " + templateFile + ": " + e.getMessage(), e);
            }
        }
        return new TokenizerConfig(template, named, token(json, "bos_token"), token(json, "eos_token"),
                token(json, "pad_token"), token(json, "unk_token"));
    }

    /** A special token written as a plain string or as an AddedToken object {@code {"content": ...}}. */
    private static Optional<String> token(JsonNode config, String key) {
        JsonNode node = config.path(key);
        if (node.isObject()) {
            node = node.path("content");
        }
        return node.isTextual() ? Optional.of(node.asText()) : Optional.empty();
    }
}
