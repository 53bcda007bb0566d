package dev.espalier.session.prompts.parquet;

import io.airlift.compress.snappy.SnappyDecompressor;
import io.airlift.compress.zstd.ZstdDecompressor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.zip.GZIPInputStream;

/** The compression codecs Hugging Face datasets are written with (pyarrow's default is Snappy). */
enum PageCodec {
    UNCOMPRESSED, SNAPPY, GZIP, ZSTD;

    /** Parquet's CompressionCodec enum value → codec; null where this reader has none (LZO, Brotli, LZ4). */
    static PageCodec of(long thriftValue) {
        return switch ((int) thriftValue) {
            case 0 -> UNCOMPRESSED;
            case 1 -> SNAPPY;
            case 2 -> GZIP;
            case 6 -> ZSTD;
            default -> null;
        };
    }

    static String name(long thriftValue) {
        String[] names = {"UNCOMPRESSED", "SNAPPY", "GZIP", "LZO", "BROTLI", "LZ4", "ZSTD", "LZ4_RAW"};
        return thriftValue >= 0 && thriftValue < names.length ? names[(int) thriftValue] : "codec " + thriftValue;
    }

    byte[] decompress(byte[] in, int uncompressedSize) throws IOException {
        byte[] out = new byte[uncompressedSize];
        int n = switch (this) {
            case UNCOMPRESSED -> {
                System.arraycopy(in, 0, out, 0, Math.min(in.length, uncompressedSize));
                yield in.length;
            }
            case SNAPPY -> new SnappyDecompressor().decompress(in, 0, in.length, out, 0, out.length);
            case ZSTD -> new ZstdDecompressor().decompress(in, 0, in.length, out, 0, out.length);
            case GZIP -> {
                try (GZIPInputStream gz = new GZIPInputStream(new ByteArrayInputStream(in))) {
                    yield gz.readNBytes(out, 0, out.length);
                }
            }
        };
        if (n != uncompressedSize) {
            throw new IOException(this + " page decompressed to " + n + " bytes, the header says " + uncompressedSize);
        }
        return out;
    }
}
