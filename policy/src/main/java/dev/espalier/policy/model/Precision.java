package dev.espalier.policy.model;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import java.util.Locale;

/**
 * The floating-point type a model's weights and activations are kept in. float32 on the CPU (half-precision matmuls
 * there are ~40× slower than float32). float16 on CUDA: half the memory and the tensor cores, and the half type that
 * works with DJL 0.35.1's stock PyTorch JNI, which maps only dtype ordinals 0–8 and aborts the JVM on bfloat16
 * (ordinal 11). Where float16 is used, the numerically delicate parts run in float32 as transformers runs them for a
 * float16 model: RMSNorm statistics, the attention softmax (masked in float32), the logits, and the LoRA branch
 * (PEFT casts the input to the adapter's float32 and the sum back).
 */
public enum Precision {
    FLOAT32(DataType.FLOAT32),
    FLOAT16(DataType.FLOAT16);

    /** System property, else environment variable ESPALIER_DTYPE: auto (default), float32 or float16. */
    public static final String PROPERTY = "espalier.dtype";

    private final DataType dataType;

    Precision(DataType dataType) {
        this.dataType = dataType;
    }

    public DataType dataType() {
        return dataType;
    }

    public boolean half() {
        return this != FLOAT32;
    }

    /** The configured precision ({@link #PROPERTY}, else $ESPALIER_DTYPE, else auto) for a device. */
    public static Precision configured(Device device) {
        String value = System.getProperty(PROPERTY, System.getenv().getOrDefault("ESPALIER_DTYPE", "auto"));
        return parse(value, device);
    }

    /**
     * auto: float16 on a GPU, float32 on the CPU; float32/fp32; float16/fp16/half. bfloat16 is refused with the reason.
     *
     * @throws IllegalArgumentException naming the value
     */
    public static Precision parse(String value, Device device) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "auto" -> device.isGpu() ? FLOAT16 : FLOAT32;
            case "float32", "fp32" -> FLOAT32;
            case "float16", "fp16", "half" -> FLOAT16;
            case "bfloat16", "bf16" -> throw new IllegalArgumentException("dtype " + value + " is not supported: "
                    + "DJL 0.35.1's PyTorch JNI aborts the JVM on bfloat16 arrays; use float16 (GPU) or float32");
            default -> throw new IllegalArgumentException("dtype must be auto, float32 or float16, got '" + value + "'");
        };
    }
}
