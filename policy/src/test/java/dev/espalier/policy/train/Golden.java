package dev.espalier.policy.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.espalier.policy.model.CausalLm;
import dev.espalier.policy.model.ProjectionDelta;
import dev.espalier.policy.safetensors.SafetensorsFile;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Access to the fixtures tools/grpo_reference.py writes, and the comparisons the golden tests share. */
final class Golden {

    static final ObjectMapper JSON = new ObjectMapper();

    private Golden() {
    }

    static Path dir(String name) {
        try {
            return Path.of(Golden.class.getResource("/golden/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A golden model with its forward: the toy twin of tools/grpo_reference.py, or the real CausalLm (llama). */
    interface Model extends CausalForward, AutoCloseable {
        @Override
        void close();
    }

    static Model model(String fixture, NDManager manager) {
        Path dir = dir(fixture).resolve("model");
        if (fixture.endsWith("toy")) {
            ToyCausalLm toy = new ToyCausalLm(dir, manager);
            return new Model() {
                public NDArray logits(NDArray ids, NDArray valid, ProjectionDelta delta, int from) {
                    return toy.logits(ids, valid, delta, from);
                }

                public void close() {
                    toy.close();
                }
            };
        }
        CausalLm lm = CausalLm.load(dir, manager);
        return new Model() {
            public NDArray logits(NDArray ids, NDArray valid, ProjectionDelta delta, int from) {
                return lm.logits(ids, valid, delta, from);
            }

            public void close() {
                lm.close();
            }
        };
    }

    static JsonNode json(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<StepCase> cases(Path dir) {
        List<StepCase> out = new ArrayList<>();
        json(dir.resolve("cases.json")).forEach(c -> out.add(StepCase.parse(c.toString())));
        return out;
    }

    /** Max |actual − expected| over a tensor, relative to max |expected|: the tolerance DESIGN asks for is 1e-5. */
    static double relativeError(NDArray actual, NDArray expected) {
        double scale = expected.abs().max().getFloat();
        return actual.sub(expected).abs().max().getFloat() / scale;
    }

    /** Every tensor of {@code expectedFile} against the adapter parameter with the same PEFT key. */
    static void assertAdapterMatches(Path expectedFile, List<String> keys, List<NDArray> params, double tolerance,
                                     NDManager manager) {
        try (SafetensorsFile st = SafetensorsFile.open(expectedFile)) {
            assertEquals(st.tensors().keySet().size(), keys.size(), "tensor count");
            for (int i = 0; i < keys.size(); i++) {
                NDArray expected = st.loadFloat32(keys.get(i), manager);
                double err = relativeError(params.get(i), expected);
                assertTrue(err <= tolerance, keys.get(i) + " differs by " + err + " relative (" + expectedFile + ")");
            }
        }
    }

    static void assertRelative(double expected, double actual, double tolerance, String what) {
        double err = Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-12);
        assertTrue(err <= tolerance, what + ": expected " + expected + " got " + actual + " (rel " + err + ")");
    }
}
