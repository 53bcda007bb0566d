package dev.espalier.policy.sampling;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SamplerTest {

    private static final float NEG_INF = Float.NEGATIVE_INFINITY;

    /** log of probabilities 0.5, 0.25, 0.15, 0.1 (in a shuffled order). */
    private static float[] logits() {
        return new float[]{(float) Math.log(0.15), (float) Math.log(0.5), (float) Math.log(0.1), (float) Math.log(0.25)};
    }

    @Test
    void temperatureZero_isGreedy_takingTheFirstOfTiedMaxima() {
        Sampler greedy = new Sampler(SamplingParams.GREEDY);
        assertEquals(1, greedy.sample(logits(), new SplittableRandom(1)));
        assertEquals(0, greedy.sample(new float[]{3f, 1f, 3f}, new SplittableRandom(1)));
    }

    @Test
    void topK_keepsTheKMostLikely() {
        float[] l = logits();
        LogitsFilter.topK(2).apply(l);
        assertArrayEquals(new float[]{NEG_INF, (float) Math.log(0.5), NEG_INF, (float) Math.log(0.25)}, l);
    }

    @Test
    void topP_keepsTokensUntilTheirMassReachesP_includingTheOneThatCrossesIt() {
        float[] l = logits();
        LogitsFilter.topP(0.7).apply(l); // 0.5 < 0.7, 0.5 + 0.25 ≥ 0.7
        assertEquals(2, finite(l));
        assertTrue(l[1] > NEG_INF && l[3] > NEG_INF);
        float[] one = logits();
        LogitsFilter.topP(0.01).apply(one);
        assertEquals(1, finite(one));
    }

    @Test
    void minP_dropsTokensBelowMinPTimesTheTopProbability() {
        float[] l = logits();
        LogitsFilter.minP(0.25).apply(l); // threshold 0.125: keeps 0.5, 0.25, 0.15
        assertEquals(3, finite(l));
        assertEquals(NEG_INF, l[2]);
    }

    @Test
    void sampling_followsTheDistribution_andIsReproducibleFromTheSeed() {
        Sampler sampler = new Sampler(new SamplingParams(1.0, 0, 1.0, 0.0));
        SplittableRandom random = new SplittableRandom(42);
        int[] counts = new int[4];
        int n = 20000;
        for (int i = 0; i < n; i++) {
            counts[sampler.sample(logits(), random)]++;
        }
        double[] expected = {0.15, 0.5, 0.1, 0.25};
        for (int i = 0; i < 4; i++) {
            assertEquals(expected[i], counts[i] / (double) n, 0.015, "token " + i);
        }
        int[] first = new int[50];
        int[] second = new int[50];
        SplittableRandom r1 = new SplittableRandom(7);
        SplittableRandom r2 = new SplittableRandom(7);
        for (int i = 0; i < 50; i++) {
            first[i] = sampler.sample(logits(), r1);
            second[i] = sampler.sample(logits(), r2);
        }
        assertArrayEquals(first, second);
    }

    @Test
    void highTemperature_flattensAndMinPStillBounds() {
        Sampler sampler = new Sampler(new SamplingParams(100.0, 0, 1.0, 0.9));
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 200; i++) {
            int t = sampler.sample(logits(), random);
            // at T=100 every probability is within 2% of the top one, so min-p 0.9 keeps all four
            assertTrue(t >= 0 && t < 4);
        }
        Sampler strict = new Sampler(new SamplingParams(1.0, 0, 1.0, 0.9));
        for (int i = 0; i < 200; i++) {
            assertEquals(1, strict.sample(logits(), random));
        }
    }

    @Test
    void temperatureAndMinP_drawTheSameTokensAsTheFilterChain() {
        // top-k = vocabulary size keeps every token but sends the draw through the filters on a copy of the row
        SplittableRandom rows = new SplittableRandom(5);
        int vocab = 2000;
        for (double[] tm : new double[][]{{1.2, 0.1}, {1.0, 0}, {0.7, 0.05}, {2.0, 0.3}, {0.3, 1.0}}) {
            Sampler scaled = new Sampler(new SamplingParams(tm[0], 0, 1, tm[1]));
            Sampler chain = new Sampler(new SamplingParams(tm[0], vocab, 1, tm[1]));
            for (int row = 0; row < 20; row++) {
                float[] logits = new float[vocab];
                for (int i = 0; i < vocab; i++) {
                    logits[i] = (float) (rows.nextGaussian() * 3);
                }
                logits[rows.nextInt(vocab)] = NEG_INF;
                float[] before = logits.clone();
                SplittableRandom r1 = new SplittableRandom(row);
                SplittableRandom r2 = new SplittableRandom(row);
                for (int draw = 0; draw < 10; draw++) {
                    assertEquals(chain.sample(logits, r2), scaled.sample(logits, r1),
                            "T " + tm[0] + ", min-p " + tm[1] + ", row " + row + ", draw " + draw);
                }
                assertArrayEquals(before, logits);
            }
        }
    }

    @Test
    void params_areRejected_outsideTheirRanges_namingTheArgument() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SamplingParams(-0.1, 0, 1, 0))
                .getMessage().contains("--temperature"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SamplingParams(1, 0, 0, 0))
                .getMessage().contains("--top-p"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SamplingParams(1, 0, 1.5, 0))
                .getMessage().contains("--top-p"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SamplingParams(1, -1, 1, 0))
                .getMessage().contains("--top-k"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SamplingParams(1, 0, 1, 2))
                .getMessage().contains("--min-p"));
    }

    private static int finite(float[] l) {
        int n = 0;
        for (float v : l) {
            n += v > NEG_INF ? 1 : 0;
        }
        return n;
    }
}
