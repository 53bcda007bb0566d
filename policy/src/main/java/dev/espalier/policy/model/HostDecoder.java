package dev.espalier.policy.model;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.ObjIntConsumer;

/**
 * Decode steps of a small batch run in plain Java on the CPU, after the engine's prefill: the same blocks as
 * {@link CausalLm#forward} (RMSNorm, fused q/k/v with Qwen2's bias and Qwen3's q/k norm, RoPE, grouped-query
 * attention over the cache, o_proj, SwiGLU, final norm, head), the LoRA delta added per module path as the engine path
 * adds it. One token per row costs ~30 engine ops per layer through JNI, and the engine's matmul of a few rows reads
 * the weights at a fraction of the memory bandwidth; here each weight is streamed once per step by {@link MatVec},
 * split by output rows over a {@link WorkerPool}, and a step allocates nothing but a few task objects.
 *
 * <p>Every row is computed on its own (the kernels' results do not depend on the batch), so a row's tokens depend only
 * on its prompt and seed, as on the engine path.
 *
 * <p>Legend: B rows, C channels, H query heads, KV key/value heads, G = H/KV, D head dim, S cache slots,
 * I intermediate width, V vocab, r LoRA rank.
 */
public final class HostDecoder {

    /** Larger batches use the engine path, whose matmuls catch up once a weight row serves many rows. */
    public static final int MAX_ROWS = 16;
    /**
     * System property: false keeps decoding on the engine, so the heap never holds the second, decode-ordered copy
     * of the weights this path needs (what {@code ./espalier up --low-memory} sets).
     */
    public static final String ENABLED_PROPERTY = "espalier.host-decode";

    private final ModelConfig config;
    private final HostWeights weights;
    private final WorkerPool pool;
    private final KvCache cache;
    private final HostKvCache kv;
    private final LowRankDeltas deltas;
    private final int rows;
    private final float eps;
    private final float queryScale;
    private final boolean[][] oneRealToken; // [B][1]

    private final float[][] x;        // [B][C] the residual stream
    private final float[][] normed;   // [B][C]
    private final float[][] qkv;      // [B][(H+2KV)·D]
    private final float[][] attended; // [B][H·D]
    private final float[][] projected; // [B][C]
    private final float[][] gateUp;   // [B][2I]
    private final float[][] hidden;   // [B][I]
    private final float[][] logits;   // [B][V]
    private final float[][] lowRank;  // [B][r]
    private final float[][] lowRankOut; // [B][widest module]
    private final float[][] scores;   // [B·H][S]
    private final float[][] cos;      // [B][D/2] this step's rotation of each row: the same in every layer
    private final float[][] sin;      // [B][D/2]
    private final int[][] visible;    // [B][S] this step's slots each row attends to, ascending
    private final int[] visibleCount; // [B]
    private final Map<LowRankDeltas.Pair, float[][]> lowRankPanels = new IdentityHashMap<>(); // A and B as panels

    private HostDecoder(CausalLm model, KvCache prefilled, LowRankDeltas deltas) {
        this.config = model.config();
        this.weights = model.hostWeights();
        this.pool = model.hostPool();
        this.cache = prefilled;
        this.kv = new HostKvCache(prefilled, config);
        this.deltas = deltas;
        this.rows = prefilled.batch();
        this.eps = (float) config.rmsNormEps();
        this.queryScale = (float) (1.0 / Math.sqrt(config.headDim()));
        this.oneRealToken = new boolean[rows][1];
        for (boolean[] r : oneRealToken) {
            r[0] = true;
        }
        int c = config.hiddenSize();
        int inter = config.intermediateSize();
        int widest = Math.max(Math.max(config.queryWidth(), c), inter);
        int rank = 1;
        for (LowRankDeltas.Pair p : deltas.byModule().values()) {
            rank = Math.max(rank, p.rank());
            widest = Math.max(widest, p.out());
        }
        x = new float[rows][c];
        normed = new float[rows][c];
        qkv = new float[rows][config.queryWidth() + 2 * config.kvWidth()];
        attended = new float[rows][config.queryWidth()];
        projected = new float[rows][c];
        gateUp = new float[rows][2 * inter];
        hidden = new float[rows][inter];
        logits = new float[rows][config.vocabSize()];
        lowRank = new float[rows][rank];
        lowRankOut = new float[rows][widest];
        int paddedSlots = (kv.capacity() + AttentionKernels.SLOTS_PER_BLOCK - 1) / AttentionKernels.SLOTS_PER_BLOCK
                * AttentionKernels.SLOTS_PER_BLOCK;
        scores = new float[rows * config.numHeads()][paddedSlots]; // whole key blocks are scored
        cos = new float[rows][config.headDim() / 2];
        sin = new float[rows][config.headDim() / 2];
        visible = new int[rows][kv.capacity()];
        visibleCount = new int[rows];
    }

    /**
     * Whether decode steps of {@code rows} rows can run here: it is not switched off ({@link #ENABLED_PROPERTY}), the
     * model is float32 on the CPU, the JVM has the Vector API, the batch is small and the heap can hold a copy of the
     * weights. Says why not in the log, once.
     */
    public static boolean supports(CausalLm model, int rows) {
        return Boolean.parseBoolean(System.getProperty(ENABLED_PROPERTY, "true")) && rows <= MAX_ROWS
                && !model.manager().getDevice().isGpu() && model.precision() == Precision.FLOAT32
                && VectorModule.present() && model.hostWeightsFit();
    }

    /**
     * Takes over a cache the engine has prefilled: its keys and values are copied once, and from here on only this
     * decoder's steps update the cache (its slot bookkeeping; its engine arrays are left behind).
     */
    public static HostDecoder open(CausalLm model, KvCache prefilled, LowRankDeltas deltas) {
        return new HostDecoder(model, prefilled, deltas);
    }

    /**
     * Feeds one real token per row and returns the logits after it, [B][V]: arrays this decoder reuses, valid until
     * the next step.
     */
    public float[][] step(long[] tokens) {
        if (tokens.length != rows) {
            throw new IllegalArgumentException("expected one token for each of " + rows + " rows, got " + tokens.length);
        }
        int c = config.hiddenSize();
        for (long t : tokens) {
            if (t < 0 || t >= config.vocabSize()) {
                throw new IllegalArgumentException("token id " + t + " is outside the vocabulary [0, "
                        + config.vocabSize() + ")");
            }
        }
        cache.append(oneRealToken, 1);
        int slot = cache.length() - 1;
        for (int b = 0; b < rows; b++) {
            weights.embed((int) tokens[b], x[b]);                                  // [B][C]
            long position = cache.slotPositions()[b][slot];
            angles(position, cos[b], sin[b]);
            visibleSlots(b, slot);
        }
        for (int l = 0; l < weights.layers.length; l++) {
            block(l, weights.layers[l], slot);
        }
        for (int b = 0; b < rows; b++) {
            rmsNorm(x[b], 0, c, weights.finalNorm, 0, normed[b]);
        }
        pool.split(config.vocabSize(), MatVec.PANEL,
                (from, to) -> MatVec.multiply(weights.head, c, from, to, normed, rows, logits));
        return logits;                                                            // [B][V]
    }

    /**
     * {@link #step}, then each row's log-softmax, in place in the returned arrays, and {@code then} with that row's
     * log-probabilities and index right after it. Rows are split over the decoder's threads, so {@code then} may
     * touch only its own row's state: drawing the next token costs a few passes over the vocabulary, which one thread
     * between steps would otherwise run for every row.
     */
    public float[][] stepLogProbabilities(long[] tokens, ObjIntConsumer<float[]> then) {
        float[][] rowsOut = step(tokens);
        pool.split(rows, 1, (from, to) -> {
            for (int b = from; b < to; b++) {
                logSoftmax(rowsOut[b]);
                then.accept(rowsOut[b], b);
            }
        });
        return rowsOut;
    }

    /** In place, like the engine's log_softmax: x − max − log Σ exp(x − max), the sum taken in double. */
    private static void logSoftmax(float[] x) {
        float max = Float.NEGATIVE_INFINITY;
        for (float v : x) {
            max = Math.max(max, v);
        }
        double total = 0;
        for (float v : x) {
            total += Math.exp(v - max);
        }
        float logTotal = (float) Math.log(total);
        for (int i = 0; i < x.length; i++) {
            x[i] = x[i] - max - logTotal;
        }
    }

    private void block(int l, HostWeights.Layer w, int slot) {
        int c = config.hiddenSize();
        for (int b = 0; b < rows; b++) {
            rmsNorm(x[b], 0, c, w.attentionNorm(), 0, normed[b]);
        }
        linear(w.qkv(), normed, qkv);                                             // [B][(H+2KV)·D]
        int kvHeads = config.numKvHeads();
        pool.split(rows * kvHeads, 1, (from, to) -> {
            for (int u = from; u < to; u++) {
                attendGroup(l, w.qkNorm(), u / kvHeads, u % kvHeads, slot);
            }
        });
        linear(w.output(), attended, projected);                                  // [B][C]
        addInto(x, projected, c);
        for (int b = 0; b < rows; b++) {
            rmsNorm(x[b], 0, c, w.mlpNorm(), 0, normed[b]);
        }
        gateUpSilu(w.gateUp());                                                   // [B][I]
        linear(w.down(), hidden, projected);                                      // [B][C]
        addInto(x, projected, c);
    }

    /**
     * hidden = silu(gate)·up for the fused gate/up projection. Without a delta on it and with I a whole number of
     * panels, each thread computes the gate and up outputs of its own channel range and applies silu there, in the
     * same task; otherwise the projection (deltas added) comes first and silu is split over the pool after it.
     */
    private void gateUpSilu(HostWeights.Linear p) {
        int inter = config.intermediateSize();
        if (p.bias() == null && inter % MatVec.PANEL == 0 && !hasDelta(p)) {
            pool.split(inter, MatVec.PANEL, (from, to) -> {
                MatVec.multiply(p.panels(), p.in(), from, to, normed, rows, gateUp);
                MatVec.multiply(p.panels(), p.in(), inter + from, inter + to, normed, rows, gateUp);
                silu(from, to);
            });
            return;
        }
        linear(p, normed, gateUp);
        pool.split(inter, MatVec.PANEL, this::silu);
    }

    private boolean hasDelta(HostWeights.Linear p) {
        for (String path : p.modulePaths()) {
            if (deltas.byModule().containsKey(path)) {
                return true;
            }
        }
        return false;
    }

    /** hidden[b][i] = silu(gate)·up for channels i in [from, to). */
    private void silu(int from, int to) {
        int inter = config.intermediateSize();
        for (int b = 0; b < rows; b++) {
            float[] gu = gateUp[b];
            float[] hb = hidden[b];
            for (int i = from; i < to; i++) {
                float gate = gu[i];
                float sigmoid = (float) (1.0 / (1.0 + Math.exp(-gate)));
                hb[i] = gate * sigmoid * gu[inter + i];
            }
        }
    }

    /** y = x·Wᵀ + b, then each module's low-rank delta added to its slice, as {@link Projection#apply} does. */
    private void linear(HostWeights.Linear p, float[][] in, float[][] out) {
        pool.split(p.out(), MatVec.PANEL, (from, to) -> MatVec.multiply(p.panels(), p.in(), from, to, in, rows, out));
        if (p.bias() != null) {
            for (int b = 0; b < rows; b++) {
                for (int o = 0; o < p.out(); o++) {
                    out[b][o] += p.bias()[o];
                }
            }
        }
        if (deltas.byModule().isEmpty()) {
            return;
        }
        String[] paths = p.modulePaths();
        for (int i = 0; i < paths.length; i++) {
            LowRankDeltas.Pair pair = deltas.byModule().get(paths[i]);
            if (pair != null) {
                addLowRank(pair, in, out, p.starts()[i]);
            }
        }
    }

    /** out[b][start + o] += ((x·Aᵀ)·Bᵀ)[o]·scaling. */
    private void addLowRank(LowRankDeltas.Pair pair, float[][] in, float[][] out, int start) {
        float[][] ab = lowRankPanels.computeIfAbsent(pair, p -> new float[][]{
                MatVec.panels(p.a(), p.rank(), p.in()), MatVec.panels(p.b(), p.out(), p.rank())});
        MatVec.multiply(ab[0], pair.in(), 0, pair.rank(), in, rows, lowRank);     // [B][r]
        pool.split(pair.out(), MatVec.PANEL, (from, to) ->
                MatVec.multiply(ab[1], pair.rank(), from, to, lowRank, rows, lowRankOut)); // [B][out]
        float scaling = pair.scaling();
        for (int b = 0; b < rows; b++) {
            float[] o = out[b];
            float[] delta = lowRankOut[b];
            for (int j = 0; j < pair.out(); j++) {
                o[start + j] += delta[j] * scaling;
            }
        }
    }

    /** cos and sin of the rotary angles at {@code position}, float32 angles as the engine path computes them. */
    private void angles(long position, float[] cos, float[] sin) {
        float[] invFreq = weights.inverseFrequencies;
        for (int i = 0; i < invFreq.length; i++) {
            float angle = (float) position * invFreq[i];
            cos[i] = (float) Math.cos(angle);
            sin[i] = (float) Math.sin(angle);
        }
    }

    /** The slots row b attends to from {@code slot}: real, and inside Mistral's window, as AttentionContext masks. */
    private void visibleSlots(int b, int slot) {
        boolean[] real = cache.realSlots()[b];
        long[] positions = cache.slotPositions()[b];
        long queryPosition = positions[slot];
        int window = config.slidingWindow();
        int count = 0;
        for (int t = 0; t <= slot; t++) {
            if (real[t] && (window == 0 || queryPosition - positions[t] < window)) {
                visible[b][count++] = t;
            }
        }
        visibleCount[b] = count;
    }

    /**
     * One KV head of row b and the query heads that share it: q/k norm and RoPE on those heads, the new key and
     * value into the cache, then the heads' attention over the slots the row sees (real, and inside Mistral's window).
     * The groups are disjoint, so they run in parallel.
     */
    private void attendGroup(int layer, float[] qkNorm, int b, int kvHead, int slot) {
        int d = config.headDim();
        int groups = config.kvGroups();
        int first = kvHead * groups;
        float[] row = qkv[b];
        int keyHead = config.numHeads() + kvHead;
        for (int head = first; head < first + groups; head++) {
            prepareHead(row, head, qkNorm, queryScale, b);
        }
        prepareHead(row, keyHead, qkNorm, 1f, b);
        kv.store(layer, b, kvHead, slot, row, keyHead * d, row, config.queryWidth() + config.kvWidth() + kvHead * d);
        int at = b * config.numHeads() + first;
        AttentionKernels.scores(row, first * d, groups, kv.keys(layer), kv.keyBlocks(b, kvHead), d, slot + 1, scores,
                at);                                                              // [G][S] = q·kᵀ
        for (int h = 0; h < groups; h++) {
            softmax(scores[at + h], visible[b], visibleCount[b]);
        }
        AttentionKernels.mix(scores, at, groups, visible[b], visibleCount[b], kv.values(layer),
                kv.valueSlot(b, kvHead, 0), d, attended[b], first * d);           // [G][D]
    }

    /**
     * Qwen3's q/k norm (if any), then RoPE on one query or key head of a row, in place; queries also take the
     * attention scale 1/√D, as {@link Rotary#angles} folds it into their cos/sin.
     */
    private void prepareHead(float[] v, int head, float[] qkNorm, float scale, int b) {
        int d = config.headDim();
        int at = head * d;
        if (qkNorm != null) {
            rmsNorm(v, at, d, qkNorm, at, v);
        }
        float[] cb = cos[b];
        float[] sb = sin[b];
        int half = d / 2;
        for (int i = 0; i < half; i++) {
            float c = cb[i] * scale;
            float s = sb[i] * scale;
            float x1 = v[at + i];
            float x2 = v[at + half + i];
            v[at + i] = x1 * c - x2 * s;
            v[at + half + i] = x2 * c + x1 * s;
        }
    }

    /** Softmax over the given slots of s, in place: the exponentials in float, their total in double. */
    private static void softmax(float[] s, int[] slots, int count) {
        float max = Float.NEGATIVE_INFINITY;
        for (int k = 0; k < count; k++) {
            max = Math.max(max, s[slots[k]]);
        }
        double total = 0;
        for (int k = 0; k < count; k++) {
            int t = slots[k];
            float e = (float) Math.exp(s[t] - max);
            s[t] = e;
            total += e;
        }
        for (int k = 0; k < count; k++) {
            int t = slots[k];
            s[t] = (float) (s[t] / total);
        }
    }

    /** out = v / sqrt(mean(v²) + eps) · w over n values, in float32 like {@link RmsNorm}. */
    private void rmsNorm(float[] v, int off, int n, float[] w, int wOff, float[] out) {
        float squares = 0;
        for (int i = 0; i < n; i++) {
            squares += v[off + i] * v[off + i];
        }
        float rms = (float) Math.sqrt(squares / n + eps);
        for (int i = 0; i < n; i++) {
            out[off + i] = v[off + i] / rms * w[wOff + i];
        }
    }

    private void addInto(float[][] target, float[][] add, int n) {
        for (int b = 0; b < rows; b++) {
            for (int i = 0; i < n; i++) {
                target[b][i] += add[b][i];
            }
        }
    }
}
