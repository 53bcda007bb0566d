package dev.espalier.policy.model;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.espalier.policy.safetensors.SafetensorsWriter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes a randomly initialised model in real Hugging Face format (config.json, generation_config.json,
 * model.safetensors, float32). The same config and seed always give the same bytes, which lets tests rebuild the
 * exact models the transformers goldens were computed from instead of committing weights.
 *
 * <p>Scales are chosen so every part matters in the output of a tiny model: matrices N(0, 1/in), norm weights
 * 1 + N(0, 0.1²), biases N(0, 0.1²) (transformers' own init, std 0.02 and unit norms, makes tiny models nearly
 * uniform and hides a wrong norm or bias).
 */
public final class RandomModel {

    private static final ObjectMapper JSON = new ObjectMapper();

    private RandomModel() {
    }

    public static void write(ModelConfig config, GenerationConfig generation, long seed, Path dir) {
        SplittableRandom random = new SplittableRandom(seed);
        SafetensorsWriter writer = new SafetensorsWriter().metadata("format", "pt");
        for (Map.Entry<String, Shape> e : CheckpointReader.expectedTensors(config).entrySet()) {
            String name = e.getKey();
            Shape shape = e.getValue();
            writer.add(name, DataType.FLOAT32, shape, values(name, shape, random));
        }
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("config.json"),
                    JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config.toJson(generation)) + "\n");
            Files.writeString(dir.resolve("generation_config.json"),
                    JSON.writerWithDefaultPrettyPrinter().writeValueAsString(generation.toJson()) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write model files to " + dir + ": " + e.getMessage(), e);
        }
        writer.write(dir.resolve(CheckpointReader.SINGLE_FILE));
    }

    private static ByteBuffer values(String name, Shape shape, SplittableRandom random) {
        int n = Math.toIntExact(shape.size());
        ByteBuffer buffer = ByteBuffer.allocate(n * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        boolean vector = shape.dimension() == 1;
        boolean norm = name.endsWith("norm.weight");
        double std = vector ? 0.1 : 1.0 / Math.sqrt(shape.get(1));
        double mean = norm ? 1.0 : 0.0;
        for (int i = 0; i < n; i++) {
            buffer.putFloat((float) (mean + std * random.nextGaussian()));
        }
        return buffer.flip();
    }
}
