package dev.espalier.policy.bench;

import dev.espalier.policy.model.ProcessMemory;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.espalier.policy.lora.LoraConfig;
import dev.espalier.policy.lora.LoraTarget;
import dev.espalier.policy.model.CausalLm;
import dev.espalier.policy.model.ModelConfig;
import dev.espalier.policy.state.TrainingState;
import dev.espalier.policy.train.ChunkedForward;
import dev.espalier.policy.train.PolicyStep;
import dev.espalier.policy.train.StepCase;
import dev.espalier.policy.train.StepSettings;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Time of one GRPO step (N completions of `newTokens` after a shared `promptTokens` prompt, LoRA rank 16 on every
 * projection) and how close it comes to the compute floor: FLOPs of the step ÷ this machine's measured matmul rate.
 * tools/bench_grpo_torch.py runs the same step with PyTorch + peft.
 */
public final class GrpoBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();

    private GrpoBenchmark() {
    }

    public static ObjectNode run(CausalLm model, Path modelDir, int rows, int promptTokens, int newTokens, int repeats,
                                 StepSettings settings) {
        ModelConfig c = model.config();
        SplittableRandom random = new SplittableRandom(0);
        int[] prompt = random.ints(promptTokens, 3, c.vocabSize()).toArray();
        int[][] completions = new int[rows][];
        for (int i = 0; i < rows; i++) {
            completions[i] = random.ints(newTokens, 3, c.vocabSize()).toArray();
        }
        StepCase stepCase = new StepCase(prompt, completions, 0);
        LoraConfig lora = LoraConfig.defaults(modelDir.toString());
        double rssBefore = ProcessMemory.rssMib();
        double[] seconds = new double[repeats];
        double[] cpuSeconds = new double[repeats];
        NDManager manager = model.manager();
        try (TrainingState state = TrainingState.fresh(modelDir, lora, 0, manager)) {
            PolicyStep step = new PolicyStep(ChunkedForward.of(model));
            step.apply(state, stepCase, settings); // warm-up: first-call allocations
            for (int i = 0; i < repeats; i++) {
                long start = System.nanoTime();
                long cpuStart = processCpuNanos();
                step.apply(state, stepCase, settings);
                cpuSeconds[i] = (processCpuNanos() - cpuStart) / 1e9;
                seconds[i] = (System.nanoTime() - start) / 1e9;
            }
            double flops = stepFlops(c, state.adapter().targets(), lora.rank(), rows, promptTokens, newTokens);
            double matmulRate = matmulRate(manager, rows * (promptTokens + newTokens), c.hiddenSize(),
                    c.intermediateSize());
            double[] sorted = seconds.clone();
            Arrays.sort(sorted);
            ObjectNode out = JSON.createObjectNode();
            out.put("rows", rows);
            out.put("prompt_tokens", promptTokens);
            out.put("new_tokens", newTokens);
            out.put("lora_rank", lora.rank());
            int slice = settings.chunkPositions(rows, newTokens, c.vocabSize());
            out.put("logit_chunk_mib", settings.logitChunkBytes() >> 20);
            out.put("logit_slice_positions", slice == 0 ? newTokens : slice);
            out.put("step_s_best", round(sorted[0]));
            out.put("step_s_median", round(sorted[sorted.length / 2]));
            double[] cpuSorted = cpuSeconds.clone();
            Arrays.sort(cpuSorted);
            out.put("step_cpu_s_best", round(cpuSorted[0]));
            out.put("step_cpu_s_median", round(cpuSorted[cpuSorted.length / 2]));
            out.put("step_gflop", round(flops / 1e9));
            out.put("matmul_gflop_s", round(matmulRate / 1e9));
            out.put("floor_step_s", round(flops / matmulRate));
            out.put("fraction_of_floor_best", round(flops / matmulRate / sorted[0]));
            out.put("rss_mib_before", Math.round(rssBefore));
            out.put("peak_rss_mib", Math.round(ProcessMemory.peakRssMib()));
            return out;
        }
    }

    /**
     * FLOPs of one step, counting matmuls only, as the step computes them: the reference forward, the policy forward
     * (plus LoRA), and the backward, which needs activation gradients through every layer (about one more forward of
     * the linears, two of the attention products) but no base-weight gradients; LoRA's backward is twice its forward.
     * The prompt runs once for all rows (CausalLm's shared prefix) and a completion's last token is only a target, so
     * the layers see P + N·(L − 1) tokens; attention counts every query against all its key slots (the explicit
     * product computes masked pairs too); the vocabulary projection runs at the N·L scored positions.
     */
    static double stepFlops(ModelConfig c, java.util.List<LoraTarget> targets, int rank, int rows, int promptTokens,
                            int newTokens) {
        double prefix = promptTokens;
        double own = (double) rows * (newTokens - 1);
        double tokens = prefix + own;
        double keyPairs = prefix * prefix + own * (promptTokens + newTokens - 1);
        double scored = (double) rows * newTokens;
        double attnWidth = (double) c.numHeads() * c.headDim();
        double kvWidth = (double) c.numKvHeads() * c.headDim();
        double perLayerLinear = 2 * c.hiddenSize() * (attnWidth + 2 * kvWidth) + 2 * attnWidth * c.hiddenSize()
                + 3 * 2.0 * c.hiddenSize() * c.intermediateSize();
        double linear = tokens * c.numLayers() * perLayerLinear + scored * 2.0 * c.hiddenSize() * c.vocabSize();
        double attention = keyPairs * c.numLayers() * 2 * 2 * attnWidth;
        double lora = 0;
        for (LoraTarget t : targets) {
            lora += tokens * 2.0 * rank * (t.inFeatures() + t.outFeatures());
        }
        return (linear + attention) + (linear + attention + lora) + (linear + 2 * attention + 2 * lora);
    }

    /** Best FLOP/s of a [M,K]·[K,N] float32 matmul at the MLP's shape, with the engine's threads. */
    static double matmulRate(NDManager manager, int m, int k, int n) {
        double best = 0;
        try (NDScope ignored = new NDScope()) {
            NDArray a = manager.randomUniform(-1, 1, new Shape(m, k));
            NDArray b = manager.randomUniform(-1, 1, new Shape(k, n));
            a.matMul(b).toFloatArray();
            for (int i = 0; i < 5; i++) {
                try (NDScope step = new NDScope()) {
                    long start = System.nanoTime();
                    a.matMul(b).getFloat(0, 0);
                    double seconds = (System.nanoTime() - start) / 1e9;
                    best = Math.max(best, 2.0 * m * k * n / seconds);
                }
            }
        }
        return best;
    }

    /**
     * CPU time of the whole process: on a shared machine wall time mostly measures the other processes, while the
     * CPU seconds a step burns stay close to the quiet-machine figure (tools/bench_grpo_torch.py reports the same).
     */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
