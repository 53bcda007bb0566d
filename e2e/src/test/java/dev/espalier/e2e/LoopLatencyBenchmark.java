package dev.espalier.e2e;

import dev.espalier.policy.generate.Completion;
import dev.espalier.policy.generate.GenerationSettings;
import dev.espalier.policy.generate.Generator;
import dev.espalier.policy.generate.Prompt;
import dev.espalier.policy.generate.TokenListener;
import dev.espalier.policy.lora.LoraConfig;
import dev.espalier.policy.model.CausalLm;
import dev.espalier.policy.model.SharedModels;
import dev.espalier.policy.sampling.SamplingParams;
import dev.espalier.policy.state.TrainingState;
import dev.espalier.policy.text.PromptFormat;
import dev.espalier.policy.text.TextTokenizer;
import dev.espalier.policy.train.PolicyStep;
import dev.espalier.policy.train.StepCase;
import dev.espalier.policy.train.StepSettings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Latency from a choice to the next rollouts being ready, through the three services (REST → event store → outbox
 * → Kafka → trainer step, adapter stored → StepApplied → next PromptIssued → rollout-service fetches the adapter,
 * generates → RolloutsReady → stored), against the bare engine doing the same step and generation in one thread of
 * this JVM on the same model. Prints one JSON line. Run with:
 * {@code ./mvnw -pl e2e -am verify -Dtest=LoopLatencyBenchmark -Dgroups=benchmark -DexcludedGroups=none
 * -Dsurefire.failIfNoSpecifiedTests=false}
 */
@Tag("benchmark")
class LoopLatencyBenchmark {

    private static final int WARMUP = 3;
    private static final int ROUNDS = 10;
    private static final int MAX_NEW_TOKENS = 24;

    @Test
    void choiceToNextRollouts_throughTheServices_versusTheBareEngine() throws Exception {
        double[] services;
        double[] engine;
        String model;
        try (Stack stack = new Stack()) {
            model = stack.model.toString();
            PlayedSession session = PlayedSession.create(stack, ServicesLoopTest.setup(stack, MAX_NEW_TOKENS));
            for (int i = 0; i < WARMUP; i++) {
                session.choose(i % 4);
            }
            services = new double[ROUNDS];
            for (int i = 0; i < ROUNDS; i++) {
                long start = System.nanoTime();
                session.awaitChoice(session.sendChoice(i % 4));
                services[i] = (System.nanoTime() - start) / 1e6;
            }
            engine = bareEngine(stack.model);
        }
        double s = median(services);
        double e = median(engine);
        System.out.printf("{\"benchmark\":\"choice-to-next-rollouts\",\"model\":\"%s\",\"group_size\":4,"
                        + "\"control_prompt\":true,\"max_new_tokens\":%d,\"rounds\":%d,\"services_ms_median\":%.1f,"
                        + "\"engine_ms_median\":%.1f,\"overhead_ms\":%.1f,\"overhead_pct\":%.1f,"
                        + "\"services_ms\":%s,\"engine_ms\":%s}%n",
                model, MAX_NEW_TOKENS, ROUNDS, s, e, s - e, 100 * (s - e) / e, Arrays.toString(services),
                Arrays.toString(engine));
    }

    /** The same work with no services: one GRPO step on the last rollouts, then N + control completions. */
    private static double[] bareEngine(java.nio.file.Path modelDir) {
        System.setProperty("ai.djl.pytorch.num_threads", "1");
        CausalLm model = SharedModels.get(modelDir);
        TextTokenizer tokenizer = TextTokenizer.load(modelDir);
        PromptFormat format = PromptFormat.chat("Be brief.");
        GenerationSettings settings = new GenerationSettings(new SamplingParams(1.0, 0, 1.0, 0.0), MAX_NEW_TOKENS);
        StepSettings step = StepSettings.DEFAULTS.withLearningRate(0.01);
        LoraConfig lora = new LoraConfig(4, 8, LoraConfig.DEFAULT_TARGETS, modelDir.toString());
        double[] times = new double[ROUNDS];
        try (TrainingState state = TrainingState.fresh(modelDir, lora, 7, SharedModels.manager())) {
            PolicyStep policyStep = new PolicyStep(model::logits);
            Generator generator = new Generator(model);
            int[] prompt = format.encode(tokenizer, "Tell me about the number 0");
            List<Completion> last = generate(generator, tokenizer, format, prompt, settings, state, 0);
            for (int i = 0; i < WARMUP + ROUNDS; i++) {
                long start = System.nanoTime();
                int[][] completions = last.subList(0, 4).stream().map(Completion::tokenIds).toArray(int[][]::new);
                policyStep.apply(state, new StepCase(prompt, completions, i % 4), step);
                prompt = format.encode(tokenizer, "Tell me about the number " + (i + 1));
                last = generate(generator, tokenizer, format, prompt, settings, state, i + 1);
                if (i >= WARMUP) {
                    times[i - WARMUP] = (System.nanoTime() - start) / 1e6;
                }
            }
        }
        return times;
    }

    private static List<Completion> generate(Generator generator, TextTokenizer tokenizer, PromptFormat format,
                                             int[] prompt, GenerationSettings settings, TrainingState state,
                                             long seed) {
        List<Prompt> rows = new ArrayList<>(Prompt.repeated(prompt, 4, seed));
        rows.add(new Prompt(format.encode(tokenizer, "Say hello."), seed + 1));
        return generator.generate(rows, settings, state.adapter(), TokenListener.NONE);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
