package dev.espalier.session.models;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The weight count of a Llama-style decoder (Llama, Qwen2/3, Mistral, Gemma) from its config alone: embeddings,
 * attention with grouped KV heads, a gated MLP, RMS norms, and the LM head unless tied. Biases are left out, so it is
 * an estimate; used only where the weights are not on this machine.
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
        long h = hidden;
        long headDim = headDimValue != null ? headDimValue : h / heads;
        long kvHeads = kv != null ? kv : heads;
        long attention = h * heads * headDim + 2 * h * kvHeads * headDim + heads * headDim * h;
        long mlp = 3 * h * intermediate;
        long norms = 2 * h;
        long embeddings = (long) vocab * h;
        boolean tied = c.path("tie_word_embeddings").asBoolean(false);
        return embeddings + layers * (attention + mlp + norms) + h + (tied ? 0 : embeddings);
    }
}
