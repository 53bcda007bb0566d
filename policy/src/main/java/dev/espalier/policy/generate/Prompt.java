package dev.espalier.policy.generate;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One row of a generation batch: the prompt's token ids and the seed of the row's own random generator. A row's
 * completion depends only on these two (and the model), never on the other rows of the batch.
 */
public record Prompt(int[] tokenIds, long seed) {

    public Prompt {
        tokenIds = tokenIds.clone();
        if (tokenIds.length == 0) {
            throw new IllegalArgumentException("a prompt needs at least one token");
        }
    }

    /**
     * n rows of the same prompt (the N completions of one step); row i's seed is the i-th value of a
     * SplittableRandom seeded with {@code seed}, so the same seed always gives the same n completions.
     */
    public static List<Prompt> repeated(int[] tokenIds, int n, long seed) {
        if (n < 1) {
            throw new IllegalArgumentException("-n must be at least 1, got " + n);
        }
        SplittableRandom seeds = new SplittableRandom(seed);
        List<Prompt> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            rows.add(new Prompt(tokenIds, seeds.nextLong()));
        }
        return rows;
    }
}
