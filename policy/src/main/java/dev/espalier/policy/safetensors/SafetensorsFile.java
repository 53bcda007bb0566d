package dev.espalier.policy.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A safetensors file, memory-mapped. The header is parsed and checked completely on open (offsets inside the file,
 * byte sizes matching dtype × shape, no overlaps), so a truncated or corrupt file fails here, naming the file and
 * tensor, rather than deep inside a forward pass.
 *
 * <p>Format: 8-byte little-endian header length N, N bytes of JSON {name: {dtype, shape, data_offsets}, "__metadata__":
 * {...}}, then the data. See https://github.com/huggingface/safetensors.
 */
public final class SafetensorsFile implements AutoCloseable {

    /** A header larger than this is not a safetensors file (the reference implementation caps it at 100 MB). */
    private static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path file, FileChannel channel, long dataStart,
                            Map<String, TensorInfo> tensors, Map<String, String> metadata) {
        this.file = file;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    public static SafetensorsFile open(Path file) {
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new SafetensorsException(file, "cannot open: " + e.getMessage(), e);
        }
        try {
            return readHeader(file, channel);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private static SafetensorsFile readHeader(Path file, FileChannel channel) {
        try {
            long fileSize = channel.size();
            if (fileSize < 8) {
                throw new SafetensorsException(file, "truncated: " + fileSize + " bytes, not even a header length");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(lengthBytes, 0);
            long headerLength = lengthBytes.flip().getLong();
            if (headerLength <= 0 || headerLength > MAX_HEADER_BYTES || 8 + headerLength > fileSize) {
                throw new SafetensorsException(file, "bad header length " + headerLength + " for a file of "
                        + fileSize + " bytes (truncated or not a safetensors file)");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            channel.read(headerBytes, 8);
            JsonNode header = JSON.readTree(new String(headerBytes.array(), StandardCharsets.UTF_8));
            long dataStart = 8 + headerLength;
            long dataSize = fileSize - dataStart;

            Map<String, TensorInfo> tensors = new LinkedHashMap<>();
            Map<String, String> metadata = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (field.getKey().equals("__metadata__")) {
                    field.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                } else {
                    TensorInfo info = parseEntry(file, field.getKey(), field.getValue());
                    if (info.end() > dataSize) {
                        throw new SafetensorsException(file, info.name(), "data ends at byte " + info.end()
                                + " but the file holds only " + dataSize + " data bytes (truncated file?)");
                    }
                    tensors.put(info.name(), info);
                }
            }
            return new SafetensorsFile(file, channel, dataStart,
                    Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(metadata));
        } catch (IOException e) {
            throw new SafetensorsException(file, "cannot read header: " + e.getMessage(), e);
        }
    }

    private static TensorInfo parseEntry(Path file, String name, JsonNode entry) {
        JsonNode offsets = entry.get("data_offsets");
        JsonNode shapeNode = entry.get("shape");
        if (!entry.hasNonNull("dtype") || shapeNode == null || offsets == null || offsets.size() != 2) {
            throw new SafetensorsException(file, name, "header entry needs dtype, shape and two data_offsets");
        }
        DataType dtype;
        try {
            dtype = DataType.fromSafetensors(entry.get("dtype").asText());
        } catch (IllegalArgumentException e) {
            throw new SafetensorsException(file, name, "unsupported dtype " + entry.get("dtype").asText());
        }
        long[] dims = new long[shapeNode.size()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = shapeNode.get(i).asLong();
        }
        Shape shape = new Shape(dims);
        long begin = offsets.get(0).asLong();
        long end = offsets.get(1).asLong();
        long expected = shape.size() * dtype.getNumOfBytes();
        if (begin < 0 || end < begin || end - begin != expected) {
            throw new SafetensorsException(file, name, "data_offsets [" + begin + ", " + end + ") hold "
                    + (end - begin) + " bytes but " + dtype + " " + shape + " needs " + expected);
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    public Path path() {
        return file;
    }

    /** Every tensor, in header order. */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public TensorInfo info(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new SafetensorsException(file, name, "not in this file");
        }
        return info;
    }

    /** The raw little-endian bytes of a tensor, memory-mapped (no copy). */
    public ByteBuffer bytes(String name) {
        TensorInfo info = info(name);
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, dataStart + info.begin(), info.byteSize())
                    .order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new SafetensorsException(file, name + ": cannot map: " + e.getMessage(), e);
        }
    }

    /**
     * A tensor as float32. F32 data is handed to the engine straight from the mapping; BF16 and F16 are widened in
     * Java, because the stock PyTorch JNI cannot create BFLOAT16 arrays (DESIGN.md §7).
     */
    public NDArray loadFloat32(String name, NDManager manager) {
        TensorInfo info = info(name);
        ByteBuffer raw = bytes(name);
        ByteBuffer f32 = switch (info.dtype()) {
            case FLOAT32 -> raw;
            case BFLOAT16 -> FloatWidening.bf16ToF32(raw);
            case FLOAT16 -> FloatWidening.f16ToF32(raw);
            default -> throw new SafetensorsException(file, name, "expected a floating-point tensor, found " + info.dtype());
        };
        return manager.create(f32, info.shape(), DataType.FLOAT32);
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Read-only channel: nothing can be lost by a failed close.
        }
    }
}
