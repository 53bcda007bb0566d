package dev.espalier.session.models;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The weight count of a Llama, Mistral, Qwen2 or Qwen3 decoder from its config alone, as transformers builds it:
 * embeddings, attention with grouped KV heads (Qwen2's q/k/v biases, {@code attention_bias}, Qwen3's q/k norms), a
 * gated MLP ({@code mlp_bias}), RMS norms, and the LM head unless tied. Used where the weights are not on this machine;
 * {@code tools/goldens_param_count.py} pins it to transformers' own count.
 */
final class ParameterEstimate {

    private ParameterEstimate() {
    }

    static Long of(JsonNode c) {
        Integer hidden = ModelPreviewer.intOrNull(c, "hidden_size");
        Integer layers = ModelPreviewer.intOrNull(c, "num_hidden_layers");
        Integer vocab = ModelPreviewer.intOrNull(c, "vocab_size");
        Integer intermediate = ModelPreviewer.intOrNull(c, "intermediate_size");
        Integer heads = ModelPreviewer.intOrNull(c, "num_attention_heads");
        if (hidden == null || layers == null || vocab == null || intermediate == null || heads == null) {
            return null;
        }
        Integer kv = ModelPreviewer.intOrNull(c, "num_key_value_heads");
        Integer headDimValue = ModelPreviewer.intOrNull(c, "head_dim");
        String type = c.path("model_type").asText("");
        long h = hidden;
        long i = intermediate;
        long headDim = headDimValue != null ? headDimValue : h / heads;
        long q = heads * headDim;
        long kvWidth = (kv != null ? kv : heads) * headDim;
        long attention = h * q + 2 * h * kvWidth + q * h;
        if (type.equals("qwen2")) {
            attention += q + 2 * kvWidth;
        } else if (c.path("attention_bias").asBoolean(false)) {
            attention += q + 2 * kvWidth + h;
        }
        if (type.equals("qwen3")) {
            attention += 2 * headDim;
        }
        long mlp = 3 * h * i + (c.path("mlp_bias").asBoolean(false) ? 2 * i + h : 0);
        long norms = 2 * h;
        long embeddings = (long) vocab * h;
        boolean tied = c.path("tie_word_embeddings").asBoolean(false);
        return embeddings + layers * (attention + mlp + norms) + h + (tied ? 0 : embeddings);
    }
}
