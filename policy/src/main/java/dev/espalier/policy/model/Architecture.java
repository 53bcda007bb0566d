package dev.espalier.policy.model;

import java.util.Arrays;
import java.util.Optional;

/**
 * The Hugging Face causal-LM classes this engine runs. They share one decoder (pre-norm, RoPE, grouped-query
 * attention, SwiGLU MLP); they differ only in the flags below.
 */
public enum Architecture {
    LLAMA("LlamaForCausalLM", "llama", false, false),
    MISTRAL("MistralForCausalLM", "mistral", false, false),
    /** Qwen2 always has q/k/v biases (no config flag). */
    QWEN2("Qwen2ForCausalLM", "qwen2", true, false),
    /** Qwen3 normalises q and k per head (RMSNorm over the head dim) before RoPE. */
    QWEN3("Qwen3ForCausalLM", "qwen3", false, true);

    private final String hfClass;
    private final String modelType;
    private final boolean alwaysQkvBias;
    private final boolean qkNorm;

    Architecture(String hfClass, String modelType, boolean alwaysQkvBias, boolean qkNorm) {
        this.hfClass = hfClass;
        this.modelType = modelType;
        this.alwaysQkvBias = alwaysQkvBias;
        this.qkNorm = qkNorm;
    }

    public String hfClass() {
        return hfClass;
    }

    /** The {@code model_type} field of config.json, also the short name used on the command line. */
    public String modelType() {
        return modelType;
    }

    public boolean alwaysQkvBias() {
        return alwaysQkvBias;
    }

    public boolean qkNorm() {
        return qkNorm;
    }

    public static Optional<Architecture> ofHfClass(String name) {
        return Arrays.stream(values()).filter(a -> a.hfClass.equals(name)).findFirst();
    }

    public static Optional<Architecture> ofModelType(String name) {
        return Arrays.stream(values()).filter(a -> a.modelType.equals(name)).findFirst();
    }
}
