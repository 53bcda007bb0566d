package dev.espalier.session.prompts;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The order a session plays its prompts in: a Fisher–Yates shuffle driven by the session's order seed.
 * SplittableRandom's algorithm is fixed by its specification, so the same seed gives the same order in every JVM,
 * and a restarted service continues exactly where the events say it was.
 */
public final class PromptOrder {

    private PromptOrder() {
    }

    public static List<String> shuffle(List<String> prompts, long seed) {
        List<String> order = new ArrayList<>(prompts);
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = order.size() - 1; i > 0; i--) {
            Collections.swap(order, i, random.nextInt(i + 1));
        }
        return List.copyOf(order);
    }
}
