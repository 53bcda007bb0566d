package dev.espalier.policy.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The special token ids of generation_config.json that generation needs.
 *
 * @param bosTokenId  beginning-of-sequence id, or -1 when the model has none
 * @param eosTokenIds every id that ends a completion (the file allows an int or a list)
 */
public record GenerationConfig(int bosTokenId, List<Integer> eosTokenIds) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public GenerationConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
        if (eosTokenIds.isEmpty()) {
            throw new IllegalArgumentException("at least one eos_token_id is needed");
        }
    }

    public boolean isEos(int token) {
        return eosTokenIds.contains(token);
    }

    /**
     * Reads generation_config.json; when a field is absent there, config.json's field of the same name is used
     * (older checkpoints keep the ids only in config.json).
     */
    public static GenerationConfig read(Path generationConfigJson, Path configJson) {
        JsonNode gen = readOrEmpty(generationConfigJson);
        JsonNode cfg = readOrEmpty(configJson);
        JsonNode eos = gen.hasNonNull("eos_token_id") ? gen.get("eos_token_id") : cfg.path("eos_token_id");
        List<Integer> ids = new ArrayList<>();
        if (eos.isArray()) {
            eos.forEach(n -> ids.add(n.asInt()));
        } else if (eos.canConvertToInt()) {
            ids.add(eos.asInt());
        }
        if (ids.isEmpty()) {
            throw new ModelFormatException(generationConfigJson, "no eos_token_id here nor in " + configJson.getFileName());
        }
        JsonNode bos = gen.hasNonNull("bos_token_id") ? gen.get("bos_token_id") : cfg.path("bos_token_id");
        return new GenerationConfig(bos.canConvertToInt() ? bos.asInt() : -1, ids);
    }

    private static JsonNode readOrEmpty(Path file) {
        if (!Files.exists(file)) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    public ObjectNode toJson() {
        ObjectNode g = JSON.createObjectNode();
        if (bosTokenId >= 0) {
            g.put("bos_token_id", bosTokenId);
        }
        if (eosTokenIds.size() == 1) {
            g.put("eos_token_id", eosTokenIds.getFirst());
        } else {
            eosTokenIds.forEach(g.putArray("eos_token_id")::add);
        }
        return g;
    }
}
