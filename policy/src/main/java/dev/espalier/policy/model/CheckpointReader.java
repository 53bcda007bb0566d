package dev.espalier.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.espalier.policy.safetensors.SafetensorsException;
import dev.espalier.policy.safetensors.SafetensorsFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads the weights of a Hugging Face checkpoint (model.safetensors, or shards listed in model.safetensors.index.json)
 * as float32 arrays, memory-mapped where the file is already float32, or as float16 arrays (a {@link Precision}). Every tensor the config implies must be there
 * with exactly that shape, and nothing else may be: a mismatch names the file and the tensor.
 */
final class CheckpointReader {

    static final String SINGLE_FILE = "model.safetensors";
    static final String INDEX_FILE = "model.safetensors.index.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private CheckpointReader() {
    }

    /** Every tensor name the config implies, with its shape, in checkpoint order. */
    static Map<String, Shape> expectedTensors(ModelConfig c) {
        Map<String, Shape> t = new LinkedHashMap<>();
        long hidden = c.hiddenSize();
        t.put("model.embed_tokens.weight", new Shape(c.vocabSize(), hidden));
        for (int l = 0; l < c.numLayers(); l++) {
            String p = "model.layers." + l + ".";
            t.put(p + "input_layernorm.weight", new Shape(hidden));
            String[] qkv = {"q_proj", "k_proj", "v_proj"};
            long[] widths = {c.queryWidth(), c.kvWidth(), c.kvWidth()};
            for (int i = 0; i < 3; i++) {
                t.put(p + "self_attn." + qkv[i] + ".weight", new Shape(widths[i], hidden));
                if (c.qkvBias()) {
                    t.put(p + "self_attn." + qkv[i] + ".bias", new Shape(widths[i]));
                }
            }
            t.put(p + "self_attn.o_proj.weight", new Shape(hidden, c.queryWidth()));
            if (c.outputBias()) {
                t.put(p + "self_attn.o_proj.bias", new Shape(hidden));
            }
            if (c.architecture().qkNorm()) {
                t.put(p + "self_attn.q_norm.weight", new Shape(c.headDim()));
                t.put(p + "self_attn.k_norm.weight", new Shape(c.headDim()));
            }
            t.put(p + "post_attention_layernorm.weight", new Shape(hidden));
            for (String m : new String[]{"gate_proj", "up_proj"}) {
                t.put(p + "mlp." + m + ".weight", new Shape(c.intermediateSize(), hidden));
                if (c.mlpBias()) {
                    t.put(p + "mlp." + m + ".bias", new Shape(c.intermediateSize()));
                }
            }
            t.put(p + "mlp.down_proj.weight", new Shape(hidden, c.intermediateSize()));
            if (c.mlpBias()) {
                t.put(p + "mlp.down_proj.bias", new Shape(hidden));
            }
        }
        t.put("model.norm.weight", new Shape(hidden));
        if (!c.tieWordEmbeddings()) {
            t.put("lm_head.weight", new Shape(c.vocabSize(), hidden));
        }
        return t;
    }

    /** What {@link #read} checks (every tensor there, nothing else, each with its shape), reading headers only. */
    static void check(Path dir, ModelConfig config) {
        Path listing = Files.isRegularFile(dir.resolve(INDEX_FILE)) ? dir.resolve(INDEX_FILE) : dir.resolve(SINGLE_FILE);
        List<SafetensorsFile> open = new ArrayList<>();
        try {
            Map<String, SafetensorsFile> owner = openAll(dir, open);
            Map<String, Shape> expected = expectedTensors(config);
            checkNames(listing, owner.keySet(), expected, config);
            checkShapes(owner, expected);
        } catch (SafetensorsException e) {
            throw new ModelFormatException(dir, e.getMessage(), e);
        } finally {
            open.forEach(SafetensorsFile::close);
        }
    }

    /** Opens every checkpoint file into {@code open} (the caller closes them): which file holds each tensor. */
    private static Map<String, SafetensorsFile> openAll(Path dir, List<SafetensorsFile> open) {
        Map<String, SafetensorsFile> owner = new LinkedHashMap<>();
        for (Path file : checkpointFiles(dir)) {
            SafetensorsFile f = SafetensorsFile.open(file);
            open.add(f);
            for (String name : f.tensors().keySet()) {
                SafetensorsFile other = owner.put(name, f);
                if (other != null) {
                    throw new ModelFormatException(file, "tensor '" + name + "' is also in " + other.path());
                }
            }
        }
        return owner;
    }

    private static void checkShapes(Map<String, SafetensorsFile> owner, Map<String, Shape> expected) {
        expected.forEach((name, want) -> {
            SafetensorsFile file = owner.get(name);
            Shape shape = file.info(name).shape();
            if (!shape.equals(want)) {
                throw new ModelFormatException(file.path(), "tensor '" + name + "' has shape " + shape
                        + " but config.json implies " + want);
            }
        });
    }

    /**
     * Checks and maps every tensor. The returned arrays belong to {@code manager}; the mappings stay valid after the
     * files are closed (each array holds its buffer).
     */
    static Map<String, NDArray> read(Path dir, ModelConfig config, NDManager manager, DataType type) {
        Path listing = Files.isRegularFile(dir.resolve(INDEX_FILE)) ? dir.resolve(INDEX_FILE) : dir.resolve(SINGLE_FILE);
        List<SafetensorsFile> open = new ArrayList<>();
        try {
            Map<String, SafetensorsFile> owner = openAll(dir, open);
            Map<String, Shape> expected = expectedTensors(config);
            checkNames(listing, owner.keySet(), expected, config);
            checkShapes(owner, expected);
            Map<String, NDArray> weights = new LinkedHashMap<>();
            for (String name : expected.keySet()) {
                weights.put(name, inType(owner.get(name).loadFloat32(name, manager), type));
            }
            return weights;
        } catch (SafetensorsException e) {
            throw new ModelFormatException(dir, e.getMessage(), e);
        } finally {
            open.forEach(SafetensorsFile::close);
        }
    }

    /** One tensor at a time, so loading a float16 model needs one tensor's float32 copy at most. */
    private static NDArray inType(NDArray float32, DataType type) {
        if (type == DataType.FLOAT32) {
            return float32;
        }
        NDArray cast = float32.toType(type, false);
        float32.close();
        return cast;
    }

    private static void checkNames(Path listing, Set<String> found, Map<String, Shape> expected, ModelConfig config) {
        List<String> missing = new ArrayList<>();
        for (String name : expected.keySet()) {
            if (!found.contains(name)) {
                missing.add(name);
            }
        }
        List<String> unexpected = new ArrayList<>();
        for (String name : found) {
            if (!expected.containsKey(name) && !ignorable(name, config)) {
                unexpected.add(name);
            }
        }
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            throw new ModelFormatException(listing, "checkpoint does not match config.json ("
                    + config.architecture().hfClass() + "): missing " + head(missing) + ", unexpected " + head(unexpected));
        }
    }

    /**
     * Tensors a valid checkpoint may carry that the model does not use: an lm_head saved next to tied embeddings
     * (transformers ties it to the embedding on load too), and the rotary inv_freq buffers of old checkpoints.
     */
    private static boolean ignorable(String name, ModelConfig config) {
        return (config.tieWordEmbeddings() && name.equals("lm_head.weight")) || name.endsWith(".rotary_emb.inv_freq");
    }

    private static String head(List<String> names) {
        if (names.isEmpty()) {
            return "none";
        }
        return names.size() + " " + names.subList(0, Math.min(5, names.size())) + (names.size() > 5 ? "..." : "");
    }

    /** model.safetensors, or every shard named in model.safetensors.index.json. */
    private static List<Path> checkpointFiles(Path dir) {
        Path index = dir.resolve(INDEX_FILE);
        Path single = dir.resolve(SINGLE_FILE);
        if (!Files.isRegularFile(index)) {
            if (!Files.isRegularFile(single)) {
                throw new ModelFormatException(dir, "no " + SINGLE_FILE + " or " + INDEX_FILE
                        + " (only safetensors checkpoints are supported)");
            }
            return List.of(single);
        }
        JsonNode map;
        try {
            map = JSON.readTree(Files.readString(index)).path("weight_map");
        } catch (IOException e) {
            throw new ModelFormatException(index, "cannot read: " + e.getMessage(), e);
        }
        if (!map.isObject() || map.isEmpty()) {
            throw new ModelFormatException(index, "no weight_map");
        }
        Set<Path> shards = new TreeSet<>();
        map.fields().forEachRemaining(e -> shards.add(dir.resolve(e.getValue().asText())));
        for (Path shard : shards) {
            if (!Files.isRegularFile(shard)) {
                throw new ModelFormatException(shard, "missing (listed in " + INDEX_FILE + ")");
            }
        }
        return List.copyOf(shards);
    }
}
