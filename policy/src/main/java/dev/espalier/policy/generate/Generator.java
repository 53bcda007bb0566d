package dev.espalier.policy.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.jni.JniUtils;
import dev.espalier.policy.model.CausalLm;
import dev.espalier.policy.model.GenerationConfig;
import dev.espalier.policy.model.HostDecoder;
import dev.espalier.policy.model.KvCache;
import dev.espalier.policy.model.LowRankDeltas;
import dev.espalier.policy.model.ProjectionDelta;
import dev.espalier.policy.sampling.Sampler;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.ObjIntConsumer;

/**
 * Samples completions for a batch of prompts of different lengths in one pass: the prompts are left-padded into
 * one prefill, then every step feeds one token per row through the KV cache. Only the sampled token ids cross to the
 * device each step and only the log-probabilities come back. On the CPU, a small batch's decode steps run in Java
 * ({@link HostDecoder}) after the engine's prefill, where the JVM and the delta allow it.
 */
public final class Generator {

    private final CausalLm model;

    public Generator(CausalLm model) {
        this.model = model;
    }

    /**
     * @param rows     the prompts (N completions of one prompt plus a control prompt, say), each with its seed
     * @param delta    the adapter to generate with ({@link ProjectionDelta#NONE} for the base model)
     * @param listener told about every token as it is drawn
     * @return one completion per row, in row order
     */
    public List<Completion> generate(List<Prompt> rows, GenerationSettings settings, ProjectionDelta delta,
                                     TokenListener listener) {
        int batch = rows.size();
        if (batch == 0) {
            throw new IllegalArgumentException("no prompts to complete");
        }
        int context = model.config().maxPositions();
        int longest = 0;
        for (Prompt row : rows) {
            if (row.tokenIds().length >= context) {
                throw new PromptTooLongException(row.tokenIds().length, context);
            }
            longest = Math.max(longest, row.tokenIds().length);
        }
        int maxNew = Math.min(settings.maxNewTokens(), context - shortest(rows));
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (KvCache cache = model.newCache(batch, longest + maxNew)) {
            return run(rows, settings, delta, listener, cache, longest, maxNew);
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    private List<Completion> run(List<Prompt> rows, GenerationSettings settings, ProjectionDelta delta,
                                 TokenListener listener, KvCache cache, int longest, int maxNew) {
        int batch = rows.size();
        int context = model.config().maxPositions();
        GenerationConfig special = model.generationConfig();
        Sampler sampler = new Sampler(settings.sampling());
        SplittableRandom[] random = new SplittableRandom[batch];
        Row[] out = new Row[batch];
        long[][] tokens = new long[batch][longest];
        boolean[][] real = new boolean[batch][longest];
        for (int b = 0; b < batch; b++) {
            int[] prompt = rows.get(b).tokenIds();
            int pad = longest - prompt.length;
            for (int t = 0; t < prompt.length; t++) {
                tokens[b][pad + t] = prompt[t];
                real[b][pad + t] = true;
            }
            random[b] = new SplittableRandom(rows.get(b).seed());
            out[b] = new Row(maxNew);
        }
        LowRankDeltas hostDeltas = HostDecoder.supports(model, batch) ? HostDeltas.of(delta) : null;
        HostDecoder host = null;
        long[] hostTokens = new long[batch];
        int[] drawn = new int[batch];
        ObjIntConsumer<float[]> draw = (rowLogprobs, b) -> {                    // one row's state only
            if (out[b].finish == null) {
                drawn[b] = sampler.sample(rowLogprobs, random[b]);
            }
        };
        int unfinished = batch;
        while (unfinished > 0) {
            if (host == null && hostDeltas != null && cache.length() > 0) {
                host = HostDecoder.open(model, cache, hostDeltas);                // after the engine's prefill
            }
            float[][] logprobs;                                                    // [B][V]
            if (host != null) {
                logprobs = host.stepLogProbabilities(hostTokens, draw);           // rows drawn on its threads
            } else {
                logprobs = engineStep(cache, tokens, real, delta);
                for (int b = 0; b < batch; b++) {
                    draw.accept(logprobs[b], b);
                }
            }
            long[][] next = new long[batch][1];
            for (int b = 0; b < batch; b++) {
                Row row = out[b];
                if (row.finish != null) {
                    next[b][0] = row.last;
                    hostTokens[b] = row.last;
                    continue;
                }
                float[] rowLogprobs = logprobs[b];
                int token = drawn[b];
                row.add(token, rowLogprobs[token]);
                listener.onToken(b, token, rowLogprobs[token]);
                if (settings.stopAtEos() && special.isEos(token)) {
                    row.finish = FinishReason.STOP;
                } else if (row.count == maxNew || cache.realTokens(b) + 1 >= context) {
                    row.finish = FinishReason.LENGTH;
                }
                if (row.finish != null) {
                    unfinished--;
                    listener.onFinish(b, row.finish);
                }
                next[b][0] = token;
                hostTokens[b] = token;
            }
            tokens = next;
            real = allTrue(batch);
        }
        List<Completion> completions = new ArrayList<>(batch);
        for (int b = 0; b < batch; b++) {
            completions.add(out[b].completion(b));
        }
        return completions;
    }

    private float[][] engineStep(KvCache cache, long[][] tokens, boolean[][] real, ProjectionDelta delta) {
        try (NDScope ignored = new NDScope()) {
            NDArray logits = model.forward(cache, tokens, real, delta);       // [B,V]
            float[] flat = logits.logSoftmax(-1).toFloatArray();               // host [B·V]
            int batch = tokens.length;
            int vocab = flat.length / batch;
            float[][] rows = new float[batch][];
            for (int b = 0; b < batch; b++) {
                rows[b] = Arrays.copyOfRange(flat, b * vocab, (b + 1) * vocab);
            }
            return rows;
        }
    }

    private static int shortest(List<Prompt> rows) {
        return rows.stream().mapToInt(r -> r.tokenIds().length).min().orElseThrow();
    }

    private static boolean[][] allTrue(int batch) {
        boolean[][] real = new boolean[batch][1];
        for (boolean[] r : real) {
            r[0] = true;
        }
        return real;
    }

    /** The growing output of one row. */
    private static final class Row {
        final int[] tokens;
        final float[] logprobs;
        int count;
        long last;
        FinishReason finish;

        Row(int capacity) {
            tokens = new int[capacity];
            logprobs = new float[capacity];
        }

        void add(int token, float logprob) {
            tokens[count] = token;
            logprobs[count] = logprob;
            count++;
            last = token;
        }

        Completion completion(int index) {
            return new Completion(index, Arrays.copyOf(tokens, count), Arrays.copyOf(logprobs, count), finish);
        }
    }
}
