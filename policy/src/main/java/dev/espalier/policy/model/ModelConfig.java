package dev.espalier.policy.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The shape of a decoder-only transformer, read from a Hugging Face config.json.
 *
 * @param architecture          which Hugging Face class the checkpoint belongs to
 * @param vocabSize             V: rows of the embedding and of the output head
 * @param hiddenSize            C: width of the residual stream
 * @param intermediateSize      width of the SwiGLU hidden layer
 * @param numLayers             number of decoder blocks
 * @param numHeads              H: query heads
 * @param numKvHeads            key/value heads; H / numKvHeads query heads share one (grouped-query attention)
 * @param headDim               D: width of one head (explicit in Qwen3/Llama 3 configs, else C / H)
 * @param maxPositions          the longest sequence the model accepts (max_position_embeddings)
 * @param rmsNormEps            epsilon inside every RMSNorm
 * @param ropeTheta             RoPE base
 * @param ropeScaling           Llama 3 frequency scaling, or null for plain RoPE
 * @param tieWordEmbeddings     the output head reuses the embedding matrix
 * @param qkvBias               q/k/v projections have biases (Qwen2, or attention_bias)
 * @param outputBias            o_proj has a bias (attention_bias, except Qwen2)
 * @param mlpBias               gate/up/down have biases (Llama's mlp_bias)
 * @param slidingWindow         Mistral's attention window in tokens, 0 for none
 */
public record ModelConfig(
        Architecture architecture,
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        int maxPositions,
        double rmsNormEps,
        double ropeTheta,
        RopeScaling ropeScaling,
        boolean tieWordEmbeddings,
        boolean qkvBias,
        boolean outputBias,
        boolean mlpBias,
        int slidingWindow) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public ModelConfig {
        require(vocabSize > 0 && hiddenSize > 0 && intermediateSize > 0 && numLayers > 0, "sizes must be positive");
        require(numHeads > 0 && numKvHeads > 0 && numHeads % numKvHeads == 0,
                "num_attention_heads (" + numHeads + ") must be a multiple of num_key_value_heads (" + numKvHeads + ")");
        require(headDim > 0 && headDim % 2 == 0, "head_dim must be even and positive, got " + headDim);
        require(maxPositions > 0, "max_position_embeddings must be positive");
        require(rmsNormEps > 0 && ropeTheta > 0, "rms_norm_eps and rope_theta must be positive");
        require(slidingWindow >= 0, "sliding_window must not be negative");
    }

    /** Query heads per key/value head. */
    public int kvGroups() {
        return numHeads / numKvHeads;
    }

    /** Width of all query heads together, H·D. */
    public int queryWidth() {
        return numHeads * headDim;
    }

    /** Width of all key (or value) heads together. */
    public int kvWidth() {
        return numKvHeads * headDim;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    public static ModelConfig read(Path configJson) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(configJson));
        } catch (IOException e) {
            throw new ModelFormatException(configJson, "cannot read: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelFormatException(configJson, "not a JSON object");
        }
        try {
            return parse(root);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(configJson, e.getMessage(), e);
        }
    }

    static ModelConfig parse(JsonNode c) {
        Architecture arch = architectureOf(c);
        String act = c.path("hidden_act").asText("silu");
        require(act.equals("silu"), "hidden_act '" + act + "' is not supported (only silu)");
        if (c.path("use_sliding_window").asBoolean(false)) {
            throw new IllegalArgumentException("use_sliding_window=true is not supported for " + arch.hfClass());
        }
        int hidden = intField(c, "hidden_size");
        int heads = intField(c, "num_attention_heads");
        int kvHeads = c.hasNonNull("num_key_value_heads") ? intField(c, "num_key_value_heads") : heads;
        int headDim = c.hasNonNull("head_dim") ? intField(c, "head_dim") : hidden / heads;
        boolean attentionBias = c.path("attention_bias").asBoolean(false) && arch != Architecture.MISTRAL;
        JsonNode rope = c.hasNonNull("rope_parameters") ? c.get("rope_parameters") : c.path("rope_scaling");
        double theta = rope.hasNonNull("rope_theta") ? rope.get("rope_theta").asDouble()
                : c.path("rope_theta").asDouble(10000.0);
        int window = arch == Architecture.MISTRAL && c.hasNonNull("sliding_window") ? intField(c, "sliding_window") : 0;
        return new ModelConfig(arch,
                intField(c, "vocab_size"),
                hidden,
                intField(c, "intermediate_size"),
                intField(c, "num_hidden_layers"),
                heads,
                kvHeads,
                headDim,
                intField(c, "max_position_embeddings"),
                c.path("rms_norm_eps").asDouble(1e-6),
                theta,
                ropeScalingOf(rope),
                c.path("tie_word_embeddings").asBoolean(false),
                arch.alwaysQkvBias() || attentionBias,
                attentionBias && arch != Architecture.QWEN2,
                arch == Architecture.LLAMA && c.path("mlp_bias").asBoolean(false),
                window);
    }

    private static Architecture architectureOf(JsonNode c) {
        JsonNode archs = c.path("architectures");
        if (archs.isArray() && !archs.isEmpty()) {
            String name = archs.get(0).asText();
            return Architecture.ofHfClass(name).orElseThrow(() -> new IllegalArgumentException(
                    "architecture " + name + " is not supported (supported: LlamaForCausalLM, MistralForCausalLM, "
                            + "Qwen2ForCausalLM, Qwen3ForCausalLM)"));
        }
        String type = c.path("model_type").asText("");
        return Architecture.ofModelType(type).orElseThrow(() -> new IllegalArgumentException(
                "no 'architectures' and model_type '" + type + "' is not supported"));
    }

    /** Accepts both the legacy {@code rope_scaling} object and transformers 5's {@code rope_parameters}. */
    private static RopeScaling ropeScalingOf(JsonNode rope) {
        if (rope.isMissingNode() || rope.isNull()) {
            return null;
        }
        String type = rope.hasNonNull("rope_type") ? rope.get("rope_type").asText() : rope.path("type").asText("default");
        return switch (type) {
            case "default" -> null;
            case "llama3" -> new RopeScaling(
                    rope.path("factor").asDouble(),
                    rope.path("low_freq_factor").asDouble(),
                    rope.path("high_freq_factor").asDouble(),
                    rope.path("original_max_position_embeddings").asInt());
            default -> throw new IllegalArgumentException("rope type '" + type + "' is not supported (default, llama3)");
        };
    }

    private static int intField(JsonNode c, String name) {
        JsonNode v = c.get(name);
        if (v == null || !v.canConvertToInt()) {
            throw new IllegalArgumentException("field '" + name + "' is missing or not an integer");
        }
        return v.asInt();
    }

    /** The config.json a Hugging Face loader expects for this shape (written by init-model). */
    public ObjectNode toJson(GenerationConfig generation) {
        ObjectNode c = JSON.createObjectNode();
        c.putArray("architectures").add(architecture.hfClass());
        c.put("model_type", architecture.modelType());
        c.put("vocab_size", vocabSize);
        c.put("hidden_size", hiddenSize);
        c.put("intermediate_size", intermediateSize);
        c.put("num_hidden_layers", numLayers);
        c.put("num_attention_heads", numHeads);
        c.put("num_key_value_heads", numKvHeads);
        c.put("head_dim", headDim);
        c.put("max_position_embeddings", maxPositions);
        c.put("rms_norm_eps", rmsNormEps);
        c.put("rope_theta", ropeTheta);
        if (ropeScaling != null) {
            ObjectNode s = c.putObject("rope_scaling");
            s.put("rope_type", "llama3");
            s.put("factor", ropeScaling.factor());
            s.put("low_freq_factor", ropeScaling.lowFreqFactor());
            s.put("high_freq_factor", ropeScaling.highFreqFactor());
            s.put("original_max_position_embeddings", ropeScaling.originalMaxPositions());
        }
        c.put("tie_word_embeddings", tieWordEmbeddings);
        c.put("hidden_act", "silu");
        c.put("initializer_range", 0.02);
        if (architecture != Architecture.QWEN2) {
            c.put("attention_bias", outputBias);
        }
        if (architecture == Architecture.LLAMA) {
            c.put("mlp_bias", mlpBias);
        }
        if (architecture == Architecture.MISTRAL) {
            if (slidingWindow > 0) {
                c.put("sliding_window", slidingWindow);
            } else {
                c.putNull("sliding_window");
            }
        }
        if (architecture == Architecture.QWEN2 || architecture == Architecture.QWEN3) {
            c.put("use_sliding_window", false);
        }
        c.put("bos_token_id", generation.bosTokenId());
        c.put("eos_token_id", generation.eosTokenIds().getFirst());
        c.put("torch_dtype", "float32");
        return c;
    }
}
