package dev.espalier.session.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

/**
 * Counts a safetensors file's weights from its header alone (8-byte little-endian length, then JSON naming each
 * tensor's shape and byte range), so a preview never reads the weights. The session-service does not depend on the
 * model engine, which has the full reader.
 */
final class SafetensorsHeader {

    /** A header larger than this is not a safetensors header (the format itself caps it at 100 MB). */
    private static final long MAX_HEADER = 100L * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    record Totals(long parameters, long bytes) {
        Totals plus(Totals other) {
            return new Totals(parameters + other.parameters, bytes + other.bytes);
        }
    }

    private SafetensorsHeader() {
    }

    static Totals read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] length = in.readNBytes(8);
            long n = length.length == 8 ? ByteBuffer.wrap(length).order(ByteOrder.LITTLE_ENDIAN).getLong() : -1;
            if (n <= 0 || n > MAX_HEADER) {
                throw new IllegalArgumentException(file + " is not a safetensors file (header length " + n + ")");
            }
            byte[] header = in.readNBytes((int) n);
            if (header.length != n) {
                throw new IllegalArgumentException(file + " is cut short inside its safetensors header");
            }
            long parameters = 0;
            long bytes = 0;
            for (Iterator<Map.Entry<String, JsonNode>> it = JSON.readTree(header).fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> tensor = it.next();
                if (tensor.getKey().equals("__metadata__")) {
                    continue;
                }
                long count = 1;
                for (JsonNode dim : tensor.getValue().path("shape")) {
                    count *= dim.asLong();
                }
                JsonNode offsets = tensor.getValue().path("data_offsets");
                parameters += count;
                bytes += offsets.path(1).asLong() - offsets.path(0).asLong();
            }
            return new Totals(parameters, bytes);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the safetensors header of " + file + ": "
                    + e.getMessage(), e);
        }
    }
}
