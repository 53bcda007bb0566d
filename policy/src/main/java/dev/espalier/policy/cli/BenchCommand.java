package dev.espalier.policy.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.espalier.policy.bench.DecodeBenchmark;
import dev.espalier.policy.bench.GrpoBenchmark;
import dev.espalier.policy.bench.MemoryBandwidth;
import dev.espalier.policy.model.Architecture;
import dev.espalier.policy.model.CausalLm;
import dev.espalier.policy.model.GenerationConfig;
import dev.espalier.policy.model.HostDecoder;
import dev.espalier.policy.model.ModelConfig;
import dev.espalier.policy.model.RandomModel;
import dev.espalier.policy.train.StepSettings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * {@code bench}: decode throughput and prefill time of N completions, against the memory-bandwidth floor. Without
 * {@code --model} it uses a random model of SmolLM2-135M's shape, written once to a fixed temp directory (the same
 * directory tools/bench_transformers.py reads).
 */
final class BenchCommand {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** SmolLM2-135M: LlamaForCausalLM, tied embeddings. */
    static final ModelConfig SMOLLM2_135M = new ModelConfig(Architecture.LLAMA, 49152, 576, 1536, 30, 9, 3, 64,
            8192, 1e-5, 100000, null, true, false, false, false, 0);

    private BenchCommand() {
    }

    static ObjectNode run(Args args) {
        Path modelDir = args.has("model") ? args.directory("model")
                : Path.of(System.getProperty("java.io.tmpdir"), "espalier-bench-smollm2-135m-seed0");
        int rows = args.integer("n", 4);
        int promptTokens = args.integer("prompt-tokens", 64);
        int newTokens = args.integer("new-tokens", 128);
        int repeats = args.integer("repeat", 3);
        // As the trainer-service steps; 0 scores every batch in one piece, as steps did before slicing.
        long chunkMib = args.integer("logit-chunk-mib", (int) (StepSettings.DEFAULT_LOGIT_CHUNK_BYTES >> 20));
        if (chunkMib < 0) {
            throw new IllegalArgumentException("--logit-chunk-mib must be >= 0 (0 = no slicing), got " + chunkMib);
        }
        StepSettings stepSettings = StepSettings.DEFAULTS.withLogitChunkBytes(chunkMib << 20);
        if (rows < 1 || promptTokens < 1 || newTokens < 2 || repeats < 1) {
            throw new IllegalArgumentException("--n, --prompt-tokens, --repeat must be >= 1 and --new-tokens >= 2");
        }
        String only = args.string("only", "all");
        if (!only.equals("all") && !only.equals("decode") && !only.equals("grpo")) {
            throw new IllegalArgumentException("--only must be decode or grpo, got '" + only + "'");
        }
        int threads = Engine.threads(args);
        if (!Files.isRegularFile(modelDir.resolve("config.json"))) {
            RandomModel.write(SMOLLM2_135M, new GenerationConfig(1, List.of(2)), 0, modelDir);
        }
        try (NDManager manager = Engine.start(args, threads);
             CausalLm model = CausalLm.load(modelDir, manager)) {
            args.checkAllUsed();
            if (only.equals("grpo")) {
                // Alone, so that its peak RSS is the step's own and not the decode benchmark's or the bandwidth probe's.
                ObjectNode out = JSON.createObjectNode();
                out.put("engine", "espalier-djl");
                out.put("model", modelDir.toString());
                out.put("threads", threads);
                out.set("grpo_step", GrpoBenchmark.run(model, modelDir, rows, promptTokens, newTokens, repeats,
                        stepSettings));
                return out;
            }
            DecodeBenchmark.run(model, rows, promptTokens, 8, 0); // warm-up: first-call allocations and JIT
            List<DecodeBenchmark.Run> runs = new ArrayList<>();
            // This host's bandwidth moves by 2x within minutes (other tenants): a probe right before each run pairs
            // every decode time with the bandwidth of its moment; the floor itself takes the fastest probe of all.
            double[] probes = new double[repeats];
            for (int i = 0; i < repeats; i++) {
                probes[i] = MemoryBandwidth.measure(manager, 1L << 30, 3);
                runs.add(DecodeBenchmark.run(model, rows, promptTokens, newTokens, i));
            }
            double bandwidth = Math.max(Arrays.stream(probes).max().orElseThrow(),
                    MemoryBandwidth.measure(manager, 1L << 30, 5));
            ModelConfig c = model.config();
            // Weights read per decode step: everything but the embedding lookup (tied: the matrix is read as the
            // head), plus the KV cache at its average length.
            int width = model.precision().dataType().getNumOfBytes();
            long weightBytes = model.weightBytes() - (c.tieWordEmbeddings() ? 0 : (long) c.vocabSize() * c.hiddenSize() * width);
            double averageSlots = promptTokens + newTokens / 2.0;
            double kvBytes = 2.0 * c.numLayers() * rows * c.kvWidth() * averageSlots * width;
            double floorStep = (weightBytes + kvBytes) / bandwidth;

            List<DecodeBenchmark.Run> byDecode = new ArrayList<>(runs);
            byDecode.sort(Comparator.comparingDouble(DecodeBenchmark.Run::decodeSeconds));
            DecodeBenchmark.Run median = byDecode.get(byDecode.size() / 2);
            DecodeBenchmark.Run best = byDecode.getFirst();
            double bestPrefill = runs.stream().mapToDouble(DecodeBenchmark.Run::prefillSeconds).min().orElseThrow();

            ObjectNode out = JSON.createObjectNode();
            out.put("engine", "espalier-djl");
            out.put("decode_path", HostDecoder.supports(model, rows) ? "host-java" : "engine");
            out.put("device", manager.getDevice().toString());
            out.put("dtype", model.precision().dataType().toString());
            out.put("model", modelDir.toString());
            out.put("threads", threads);
            out.put("rows", rows);
            out.put("prompt_tokens", promptTokens);
            out.put("new_tokens", newTokens);
            out.put("repeats", repeats);
            out.put("decode_tokens_per_s_best", round(best.decodeTokensPerSecond()));
            out.put("decode_tokens_per_s_median", round(median.decodeTokensPerSecond()));
            out.put("decode_step_ms_best", round(best.decodeStepSeconds() * 1e3));
            out.put("decode_step_cpu_ms_best", round(runs.stream()
                    .mapToDouble(DecodeBenchmark.Run::decodeStepCpuSeconds).min().orElseThrow() * 1e3));
            out.put("prefill_ms_best", round(bestPrefill * 1e3));
            out.put("memory_bandwidth_gb_s", round(bandwidth / 1e9));
            out.put("bytes_per_decode_step", (long) (weightBytes + kvBytes));
            out.put("floor_step_ms", round(floorStep * 1e3));
            out.put("floor_tokens_per_s", round(rows / floorStep));
            out.put("fraction_of_floor_best", round(floorStep / best.decodeStepSeconds()));
            double[] paired = new double[repeats];
            for (int i = 0; i < repeats; i++) {
                paired[i] = (weightBytes + kvBytes) / probes[i] / runs.get(i).decodeStepSeconds();
            }
            Arrays.sort(paired);
            out.put("memory_bandwidth_per_run_gb_s", Arrays.toString(Arrays.stream(probes).map(b -> round(b / 1e9))
                    .toArray()));
            out.put("fraction_of_floor_paired_median", round(paired[repeats / 2]));
            if (only.equals("all")) {
                out.set("grpo_step", GrpoBenchmark.run(model, modelDir, rows, promptTokens, newTokens, repeats,
                        stepSettings));
            }
            return out;
        }
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
