package dev.espalier.session.prompts.parquet;

import java.nio.ByteBuffer;

/**
 * Parquet's RLE / bit-packing hybrid, used for definition levels and dictionary indices: runs of one repeated value,
 * or groups of eight values packed {@code bitWidth} bits each, least significant bit first.
 */
final class RleHybrid {

    private RleHybrid() {
    }

    /** Decodes {@code count} values from {@code in}'s position (which ends after what was read). */
    static int[] decode(ByteBuffer in, int bitWidth, int count) {
        int[] out = new int[count];
        int n = 0;
        int valueBytes = (bitWidth + 7) / 8;
        while (n < count) {
            long header = varint(in);
            if ((header & 1) == 0) {
                int run = (int) (header >>> 1);
                int value = 0;
                for (int i = 0; i < valueBytes; i++) {
                    value |= (in.get() & 0xff) << (8 * i);
                }
                for (int i = 0; i < run && n < count; i++) {
                    out[n++] = value;
                }
            } else {
                int values = (int) (header >>> 1) * 8;
                long buffer = 0;
                int bits = 0;
                int mask = (1 << bitWidth) - 1;
                for (int i = 0; i < values; i++) {
                    while (bits < bitWidth) {
                        buffer |= (long) (in.get() & 0xff) << bits;
                        bits += 8;
                    }
                    if (n < count) {
                        out[n++] = (int) (buffer & mask);
                    }
                    buffer >>>= bitWidth;
                    bits -= bitWidth;
                }
            }
        }
        return out;
    }

    private static long varint(ByteBuffer in) {
        long result = 0;
        for (int shift = 0; ; shift += 7) {
            int b = in.get() & 0xff;
            result |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
    }
}
