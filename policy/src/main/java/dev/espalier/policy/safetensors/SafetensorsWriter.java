package dev.espalier.policy.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a safetensors file. Tensors are written in the order they were added, so the same inputs always give the
 * same bytes (replay compares adapters by sha256). The file appears atomically: it is written beside the target and
 * moved into place, so a crash never leaves a half-written adapter under the real name.
 */
public final class SafetensorsWriter {

    private static final ObjectMapper JSON = new ObjectMapper();

    private record Entry(DataType dtype, Shape shape, ByteBuffer data) {
    }

    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    public SafetensorsWriter add(String name, DataType dtype, Shape shape, ByteBuffer littleEndianData) {
        long expected = shape.size() * dtype.getNumOfBytes();
        if (littleEndianData.remaining() != expected) {
            throw new IllegalArgumentException("tensor '" + name + "': " + littleEndianData.remaining()
                    + " bytes given, " + dtype + " " + shape + " needs " + expected);
        }
        if (entries.putIfAbsent(name, new Entry(dtype, shape, littleEndianData.duplicate())) != null) {
            throw new IllegalArgumentException("tensor '" + name + "' added twice");
        }
        return this;
    }

    /** Copies the array's current values (NDArray buffers are little-endian on every supported platform). */
    public SafetensorsWriter add(String name, NDArray array) {
        return add(name, array.getDataType(), array.getShape(), array.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN));
    }

    /** Writes the file with an fsync before it is moved into place. */
    public void write(Path target) {
        byte[] headerJson = paddedHeader();
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try {
            Files.createDirectories(target.toAbsolutePath().getParent());
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(headerJson.length);
                writeFully(out, length.flip());
                writeFully(out, ByteBuffer.wrap(headerJson));
                for (Entry entry : entries.values()) {
                    writeFully(out, entry.data().duplicate());
                }
                out.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // The original error is the one worth reporting.
            }
            throw new SafetensorsException(target, "cannot write: " + e.getMessage(), e);
        }
    }

    /**
     * The whole file in memory, byte for byte what {@link #write} puts on disk: for archives that go straight into a
     * database, where a file and its fsync would only be overhead.
     */
    public byte[] toBytes() {
        byte[] headerJson = paddedHeader();
        long size = 8 + (long) headerJson.length;
        for (Entry entry : entries.values()) {
            size += entry.data().remaining();
        }
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(size)).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(headerJson.length).put(headerJson);
        for (Entry entry : entries.values()) {
            out.put(entry.data().duplicate());
        }
        return out.array();
    }

    /** The reference implementation pads the header with spaces to a multiple of 8 so the data is aligned. */
    private byte[] paddedHeader() {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            Entry entry = e.getValue();
            ObjectNode node = header.putObject(e.getKey());
            node.put("dtype", entry.dtype().asSafetensors());
            ArrayNode shape = node.putArray("shape");
            for (long d : entry.shape().getShape()) {
                shape.add(d);
            }
            long size = entry.data().remaining();
            node.putArray("data_offsets").add(offset).add(offset + size);
            offset += size;
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = new byte[padded];
        System.arraycopy(json, 0, out, 0, json.length);
        for (int i = json.length; i < padded; i++) {
            out[i] = ' ';
        }
        return out;
    }

    private static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }
}
