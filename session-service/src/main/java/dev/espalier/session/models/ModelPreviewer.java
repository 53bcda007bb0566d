package dev.espalier.session.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.espalier.hub.FileFilters;
import dev.espalier.hub.HubClient;
import dev.espalier.hub.HubException;
import dev.espalier.hub.RepoKind;
import dev.espalier.hub.RepoRef;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Describes a model from its small files: a local directory (config, tokenizer config and the safetensors headers),
 * or a Hugging Face id (config.json, tokenizer_config.json, generation_config.json, chat_template.jinja and the
 * shard index, through the HF cache; the weights are never downloaded, so the parameter count is then estimated
 * from the config and the size taken from the index).
 */
@ApplicationScoped
public class ModelPreviewer {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INDEX = "model.safetensors.index.json";
    private static final Predicate<String> SMALL_FILES = FileFilters.globs("config.json", "tokenizer_config.json",
            "generation_config.json", "chat_template.jinja", "chat_template.json", INDEX);

    private final HubClient hub;

    public ModelPreviewer(HubClient hub) {
        this.hub = hub;
    }

    public ModelPreview preview(String model) {
        if (model == null || model.isBlank()) {
            throw new ModelPreviewException(false, "model must name a local directory or a Hugging Face id", null);
        }
        Path local = Path.of(model);
        if (Files.isDirectory(local)) {
            return describe(model, local, "local", true);
        }
        if (model.startsWith("/") || model.startsWith(".") || model.startsWith("~") || Files.exists(local)) {
            throw new ModelPreviewException(true, "model directory " + model + " does not exist", null);
        }
        RepoRef repo;
        try {
            repo = new RepoRef(RepoKind.MODEL, model, null);
        } catch (IllegalArgumentException e) {
            throw new ModelPreviewException(false, "model " + model + " is neither a local directory nor a "
                    + "Hugging Face id: " + e.getMessage(), e);
        }
        boolean cached = hub.cachedSnapshot(repo).isPresent();
        Path snapshot;
        try {
            snapshot = hub.snapshot(repo, SMALL_FILES);
        } catch (HubException e) {
            throw new ModelPreviewException(e.status() == 404 || e.status() == 401,
                    "cannot read model " + model + ": " + e.getMessage(), e);
        }
        return describe(model, snapshot, cached ? "cache" : "hub", false);
    }

    private ModelPreview describe(String model, Path dir, String source, boolean weightsHere) {
        Path configFile = dir.resolve("config.json");
        if (!Files.isRegularFile(configFile)) {
            throw new ModelPreviewException(false, "model " + model + " has no config.json", null);
        }
        JsonNode config = readJson(configFile);
        // Multimodal configs keep the language model's numbers under text_config.
        JsonNode text = config.has("text_config") ? config.get("text_config") : config;
        Long parameters;
        boolean counted;
        Long bytes;
        SafetensorsHeader.Totals totals = weightsHere ? countWeights(dir) : null;
        if (totals != null) {
            parameters = totals.parameters();
            counted = true;
            bytes = totals.bytes();
        } else {
            parameters = ParameterEstimate.of(text);
            counted = false;
            bytes = indexTotalSize(dir);
        }
        return new ModelPreview(model, firstArchitecture(config), textOrNull(config, "model_type"), parameters,
                counted, bytes, intOrNull(text, "hidden_size"), intOrNull(text, "num_hidden_layers"),
                intOrNull(text, "vocab_size"), contextLength(text), hasChatTemplate(dir), source);
    }

    private static SafetensorsHeader.Totals countWeights(Path dir) {
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
        } catch (IOException e) {
            throw new ModelPreviewException(false, "cannot list " + dir + ": " + e.getMessage(), e);
        }
        if (files.isEmpty()) {
            return null;
        }
        SafetensorsHeader.Totals sum = new SafetensorsHeader.Totals(0, 0);
        for (Path file : files) {
            try {
                sum = sum.plus(SafetensorsHeader.read(file));
            } catch (IllegalArgumentException e) {
                throw new ModelPreviewException(false, e.getMessage(), e);
            }
        }
        return sum;
    }

    private static Long indexTotalSize(Path dir) {
        Path index = dir.resolve(INDEX);
        if (!Files.isRegularFile(index)) {
            return null;
        }
        JsonNode size = readJson(index).path("metadata").path("total_size");
        return size.isNumber() ? size.asLong() : null;
    }

    private static boolean hasChatTemplate(Path dir) {
        if (Files.isRegularFile(dir.resolve("chat_template.jinja"))
                || Files.isRegularFile(dir.resolve("chat_template.json"))) {
            return true;
        }
        Path tokenizerConfig = dir.resolve("tokenizer_config.json");
        if (!Files.isRegularFile(tokenizerConfig)) {
            return false;
        }
        JsonNode template = readJson(tokenizerConfig).path("chat_template");
        return (template.isTextual() && !template.asText().isBlank()) || (template.isArray() && !template.isEmpty());
    }

    private static Integer contextLength(JsonNode config) {
        for (String key : List.of("max_position_embeddings", "n_positions", "max_seq_len", "seq_length")) {
            Integer value = intOrNull(config, key);
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    private static String firstArchitecture(JsonNode config) {
        JsonNode architectures = config.path("architectures");
        return architectures.isArray() && !architectures.isEmpty() ? architectures.get(0).asText() : null;
    }

    private static String textOrNull(JsonNode node, String key) {
        return node.path(key).isTextual() ? node.path(key).asText() : null;
    }

    static Integer intOrNull(JsonNode node, String key) {
        return node.path(key).isNumber() ? node.path(key).asInt() : null;
    }

    private static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new ModelPreviewException(false, file + " is not readable JSON: " + e.getMessage(), e);
        }
    }
}
