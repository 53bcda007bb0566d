package dev.espalier.policy.safetensors;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Widening of 16-bit float formats to float32, into fresh direct little-endian buffers. */
final class FloatWidening {

    private FloatWidening() {
    }

    /** bfloat16 is the top half of a float32, so widening is exact: shift the bits up. */
    static ByteBuffer bf16ToF32(ByteBuffer src) {
        ByteBuffer in = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int n = in.remaining() / 2;
        ByteBuffer out = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            out.putInt((in.getShort() & 0xFFFF) << 16);
        }
        return out.flip();
    }

    static ByteBuffer f16ToF32(ByteBuffer src) {
        ByteBuffer in = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int n = in.remaining() / 2;
        ByteBuffer out = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            out.putFloat(Float.float16ToFloat(in.getShort()));
        }
        return out.flip();
    }
}
