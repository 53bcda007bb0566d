package dev.espalier.policy.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The decode matmul: a row's outputs are the same bits whichever rows share its batch (1, 4, 5 at a time). */
class MatVecTest {

    private static final int IN = 200;
    private static final int OUT = 3 * MatVec.PANEL + 7; // whole panels and a partial one

    @ParameterizedTest
    @ValueSource(ints = {1, 4, 5, 6, 9})
    void eachRow_givesTheSameBits_aloneAndInABatch_andMatchesADoubleReference(int rows) {
        SplittableRandom random = new SplittableRandom(rows);
        float[] w = new float[OUT * IN];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) random.nextGaussian();
        }
        float[][] x = new float[rows][IN];
        for (float[] row : x) {
            for (int i = 0; i < IN; i++) {
                row[i] = (float) random.nextGaussian();
            }
        }
        float[] panels = MatVec.panels(w, OUT, IN);
        float[][] batch = new float[rows][OUT];
        MatVec.multiply(panels, IN, 0, OUT, x, rows, batch);

        for (int m = 0; m < rows; m++) {
            float[][] alone = new float[1][OUT];
            MatVec.multiply(panels, IN, 0, OUT, new float[][]{x[m]}, 1, alone);
            assertArrayEquals(alone[0], batch[m], "row " + m + " of " + rows);
            for (int o = 0; o < OUT; o++) {
                double expected = 0;
                for (int i = 0; i < IN; i++) {
                    expected += (double) w[o * IN + i] * x[m][i];
                }
                assertEquals(expected, batch[m][o], 1e-3, "row " + m + ", output " + o);
            }
        }
    }
}
