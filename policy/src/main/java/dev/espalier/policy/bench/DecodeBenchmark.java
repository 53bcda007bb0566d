package dev.espalier.policy.bench;

import dev.espalier.policy.generate.FinishReason;
import dev.espalier.policy.generate.GenerationSettings;
import dev.espalier.policy.generate.Generator;
import dev.espalier.policy.generate.Prompt;
import dev.espalier.policy.generate.TokenListener;
import dev.espalier.policy.model.CausalLm;
import dev.espalier.policy.model.ProjectionDelta;
import dev.espalier.policy.sampling.SamplingParams;

import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * Times one generation the way the game uses it: N completions of one prompt through {@link Generator}, sampling
 * at temperature 1.2 with min-p 0.1, EOS ignored so every run has the same length.
 *
 * <p>Prefill = start until the first token of every row is drawn; decode = first token to last token, so decode
 * tokens/s = N·(newTokens − 1) / decode seconds. tools/bench_transformers.py uses the same definitions.
 */
public final class DecodeBenchmark {

    /**
     * @param prefillSeconds   start → first token (wall clock)
     * @param decodeSeconds    first token → last token (wall clock)
     * @param decodeCpuSeconds CPU time of the whole process over the same span: on a shared machine it shows the
     *                         work done, where wall time mostly shows how long the scheduler made us wait
     */
    public record Run(double prefillSeconds, double decodeSeconds, double decodeCpuSeconds, int rows, int newTokens) {
        public double decodeTokensPerSecond() {
            return rows * (newTokens - 1) / decodeSeconds;
        }

        public double decodeStepSeconds() {
            return decodeSeconds / (newTokens - 1);
        }

        public double decodeStepCpuSeconds() {
            return decodeCpuSeconds / (newTokens - 1);
        }
    }

    private DecodeBenchmark() {
    }

    /** The prompt both benchmarks use: a fixed arithmetic pattern of ids, away from the special ids 0..2. */
    public static int[] prompt(int length, int vocab) {
        int[] ids = new int[length];
        for (int t = 0; t < length; t++) {
            ids[t] = 3 + (int) ((1000L + 31L * t) % (vocab - 3));
        }
        return ids;
    }

    public static Run run(CausalLm model, int rows, int promptTokens, int newTokens, long seed) {
        List<Prompt> batch = Prompt.repeated(prompt(promptTokens, model.config().vocabSize()), rows, seed);
        GenerationSettings settings = new GenerationSettings(new SamplingParams(1.2, 0, 1.0, 0.1), newTokens, false);
        long[] firstAndLast = new long[2];
        long[] cpu = new long[2];
        int[] seen = new int[1];
        TokenListener clock = new TokenListener() {
            @Override
            public void onToken(int row, int tokenId, float logprob) {
                seen[0]++;
                if (seen[0] == rows) {
                    firstAndLast[0] = System.nanoTime();
                    cpu[0] = processCpuNanos();
                }
            }

            @Override
            public void onFinish(int row, FinishReason reason) {
                firstAndLast[1] = System.nanoTime();
                cpu[1] = processCpuNanos();
            }
        };
        long start = System.nanoTime();
        new Generator(model).generate(batch, settings, ProjectionDelta.NONE, clock);
        return new Run((firstAndLast[0] - start) / 1e9, (firstAndLast[1] - firstAndLast[0]) / 1e9,
                (cpu[1] - cpu[0]) / 1e9, rows, newTokens);
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
