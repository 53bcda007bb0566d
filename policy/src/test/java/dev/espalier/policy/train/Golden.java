package dev.espalier.policy.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.espalier.policy.model.CausalLm;
import dev.espalier.policy.model.ProjectionDelta;
import dev.espalier.policy.safetensors.SafetensorsFile;
import dev.espalier.policy.state.OptimizerState;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

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

    /** The real CausalLm, which can score a slice of positions at a time; counts the slices it projected. */
    interface SlicingModel extends Model, ChunkedForward {
        int projections();
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
        ChunkedForward forward = ChunkedForward.of(lm);
        AtomicInteger projections = new AtomicInteger();
        return new SlicingModel() {
            public NDArray logits(NDArray ids, NDArray valid, ProjectionDelta delta, int from) {
                return forward.logits(ids, valid, delta, from);
            }

            public NDArray hidden(NDArray ids, NDArray valid, ProjectionDelta delta, int from) {
                return forward.hidden(ids, valid, delta, from);
            }

            public NDArray project(NDArray hidden) {
                projections.incrementAndGet();
                return forward.project(hidden);
            }

            public int projections() {
                return projections.get();
            }

            public int vocabularySize() {
                return forward.vocabularySize();
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

    /**
     * AdamW's moments against the reference's ({@code <PEFT key>.exp_avg}, {@code .exp_avg_sq}), each tensor within
     * {@code tolerance} relative (max |Δ| / max |expected|). m and v are sums of (squared) gradients, so this holds the
     * step's gradients to the tolerance without Adam's division in between.
     */
    static void assertMomentsMatch(Path expectedFile, List<String> keys, OptimizerState optimizer, double tolerance,
                                   NDManager manager) {
        try (SafetensorsFile st = SafetensorsFile.open(expectedFile)) {
            for (int i = 0; i < keys.size(); i++) {
                double m = relativeError(optimizer.m().get(i), st.loadFloat32(keys.get(i) + ".exp_avg", manager));
                double v = relativeError(optimizer.v().get(i), st.loadFloat32(keys.get(i) + ".exp_avg_sq", manager));
                assertTrue(m <= tolerance && v <= tolerance, keys.get(i) + " moments differ by " + m + " (exp_avg), "
                        + v + " (exp_avg_sq) relative (" + expectedFile + ")");
            }
        }
    }

    /**
     * Every parameter of {@code expectedFile} against the adapter parameter with the same PEFT key, element by element:
     * |Δ_i| / max |expected| · min(1, d_i / max d) ≤ tolerance, where d = sqrt(v̂) + eps is Adam's denominator after
     * step {@code t}, from the reference's second moment in {@code expectedMoments}.
     *
     * <p>Why scaled: Adam moves element i by lr·m̂_i/d_i, so a float32 difference δ in a gradient (whose size is that of
     * the tensor's gradients, ~max d) moves the parameter by ~lr·δ/d_i. Where d_i is as large as the tensor's largest,
     * this is the plain relative check; an element whose gradients are k times smaller than the tensor's gets k times
     * the room, exactly the amplification Adam applies to the same rounding. A change of float32 summation order (the
     * shared-prefix forward, a fused LoRA) moved such elements past 1e-5 while the gradients, checked by
     * {@link #assertMomentsMatch}, stayed within 6e-6 (docs/training.md).
     */
    static void assertAdapterMatches(Path expectedFile, Path expectedMoments, long t, List<String> keys,
                                     List<NDArray> params, double tolerance, NDManager manager) {
        double correction = 1 - Math.pow(AdamW.BETA2, t);
        try (SafetensorsFile st = SafetensorsFile.open(expectedFile);
             SafetensorsFile moments = SafetensorsFile.open(expectedMoments)) {
            assertEquals(st.tensors().keySet().size(), keys.size(), "tensor count");
            for (int i = 0; i < keys.size(); i++) {
                float[] expected = st.loadFloat32(keys.get(i), manager).toFloatArray();
                float[] actual = params.get(i).toFloatArray();
                float[] v = moments.loadFloat32(keys.get(i) + ".exp_avg_sq", manager).toFloatArray();
                double scale = 0;
                double largestDenominator = 0;
                for (int j = 0; j < expected.length; j++) {
                    scale = Math.max(scale, Math.abs(expected[j]));
                    largestDenominator = Math.max(largestDenominator, denominator(v[j], correction));
                }
                double worst = 0;
                int at = 0;
                for (int j = 0; j < expected.length; j++) {
                    double err = Math.abs(actual[j] - expected[j]) / scale
                            * Math.min(1, denominator(v[j], correction) / largestDenominator);
                    if (err > worst) {
                        worst = err;
                        at = j;
                    }
                }
                assertTrue(worst <= tolerance, keys.get(i) + "[" + at + "] differs by " + worst
                        + " relative, Adam-scaled (" + expectedFile + ")");
            }
        }
    }

    private static double denominator(float v, double correction) {
        return Math.sqrt(v / correction) + AdamW.EPS;
    }

    static void assertRelative(double expected, double actual, double tolerance, String what) {
        double err = Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-12);
        assertTrue(err <= tolerance, what + ": expected " + expected + " got " + actual + " (rel " + err + ")");
    }
}
