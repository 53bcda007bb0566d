package dev.espalier.policy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.espalier.policy.model.Architecture;
import dev.espalier.policy.model.GenerationConfig;
import dev.espalier.policy.model.ModelConfig;
import dev.espalier.policy.model.RandomModel;
import dev.espalier.policy.model.RopeScaling;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code init-model}: a small random model in Hugging Face format, for tests and demos. Every argument is checked
 * before anything is written.
 */
final class InitModelCommand {

    static final Set<String> FLAGS = Set.of("tied");
    private static final ObjectMapper JSON = new ObjectMapper();

    private InitModelCommand() {
    }

    static ObjectNode run(Args args) {
        String archName = args.string("arch");
        Architecture arch = Architecture.ofModelType(archName).orElseThrow(() -> new IllegalArgumentException(
                "--arch must be llama, mistral, qwen2 or qwen3, got '" + archName + "'"));
        Path out = Path.of(args.string("out"));
        Path tokenizer = args.has("tokenizer") ? Path.of(args.string("tokenizer")) : null;
        if (tokenizer != null && args.has("vocab")) {
            throw new IllegalArgumentException("--vocab and --tokenizer exclude each other (the tokenizer sets the vocabulary)");
        }
        int vocab = tokenizer != null ? tokenizerVocabSize(tokenizer) : args.integer("vocab", 256);
        int hidden = args.integer("hidden", 64);
        int heads = args.integer("heads", 4);
        int maxPositions = args.integer("max-positions", 2048);
        RopeScaling scaling = switch (args.string("rope-scaling", "none")) {
            case "none" -> null;
            case "llama3" -> new RopeScaling(8, 1, 4, Math.max(1, maxPositions / 8));
            default -> throw new IllegalArgumentException("--rope-scaling must be none or llama3");
        };
        if (scaling != null && arch != Architecture.LLAMA) {
            throw new IllegalArgumentException("--rope-scaling llama3 needs --arch llama");
        }
        int window = args.integer("sliding-window", 0);
        if (window != 0 && arch != Architecture.MISTRAL) {
            throw new IllegalArgumentException("--sliding-window needs --arch mistral");
        }
        ModelConfig config = new ModelConfig(arch, vocab, hidden,
                args.integer("intermediate", 4 * hidden),
                args.integer("layers", 2),
                heads,
                args.integer("kv-heads", heads),
                args.integer("head-dim", hidden / Math.max(heads, 1)),
                maxPositions,
                args.number("rms-norm-eps", 1e-6),
                args.number("rope-theta", 10000),
                scaling,
                args.flag("tied"),
                arch.alwaysQkvBias(), false, false, window);
        GenerationConfig generation = new GenerationConfig(args.integer("bos", 1),
                List.of(args.integer("eos", Math.min(2, vocab - 1))));
        if (generation.eosTokenIds().getFirst() >= vocab || generation.bosTokenId() >= vocab) {
            throw new IllegalArgumentException("--bos and --eos must be token ids below the vocabulary size " + vocab);
        }
        long seed = args.longValue("seed", 0);
        args.checkAllUsed();
        checkEmpty(out);

        RandomModel.write(config, generation, seed, out);
        if (tokenizer != null) {
            copyTokenizer(tokenizer, out);
        }
        ObjectNode result = JSON.createObjectNode();
        result.put("model", out.toString());
        result.put("architecture", arch.hfClass());
        result.put("parameters", parameterCount(config));
        result.put("seed", seed);
        return result;
    }

    private static long parameterCount(ModelConfig c) {
        long perLayer = 2L * c.hiddenSize()
                + (long) c.hiddenSize() * (c.queryWidth() + 2L * c.kvWidth())
                + (long) c.queryWidth() * c.hiddenSize()
                + 3L * c.hiddenSize() * c.intermediateSize();
        return (long) c.vocabSize() * c.hiddenSize() * (c.tieWordEmbeddings() ? 1 : 2)
                + c.numLayers() * perLayer + c.hiddenSize();
    }

    private static void checkEmpty(Path out) {
        if (Files.exists(out)) {
            if (!Files.isDirectory(out)) {
                throw new IllegalArgumentException("--out " + out + " exists and is not a directory");
            }
            try (Stream<Path> entries = Files.list(out)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalArgumentException("--out " + out + " is not empty; refusing to overwrite");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** One more than the largest id in the tokenizer's vocabulary or added tokens. */
    static int tokenizerVocabSize(Path tokenizer) {
        if (!Files.isRegularFile(tokenizer)) {
            throw new IllegalArgumentException("--tokenizer " + tokenizer + ": no such file");
        }
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(tokenizer));
        } catch (IOException e) {
            throw new IllegalArgumentException("--tokenizer " + tokenizer + ": not a tokenizer.json (" + e.getMessage() + ")");
        }
        int max = -1;
        JsonNode vocab = root.path("model").path("vocab");
        if (vocab.isObject()) {
            for (Iterator<JsonNode> it = vocab.elements(); it.hasNext(); ) {
                max = Math.max(max, it.next().asInt());
            }
        } else if (vocab.isArray()) {
            max = vocab.size() - 1; // Unigram: a list of [piece, score], the id is the index
        }
        for (JsonNode added : root.path("added_tokens")) {
            max = Math.max(max, added.path("id").asInt(-1));
        }
        if (max < 0) {
            throw new IllegalArgumentException("--tokenizer " + tokenizer + ": no model.vocab found");
        }
        return max + 1;
    }

    private static void copyTokenizer(Path tokenizer, Path out) {
        try {
            Files.copy(tokenizer, out.resolve("tokenizer.json"));
            Path config = tokenizer.resolveSibling("tokenizer_config.json");
            if (Files.isRegularFile(config)) {
                Files.copy(config, out.resolve("tokenizer_config.json"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the tokenizer into " + out + ": " + e.getMessage(), e);
        }
    }
}
