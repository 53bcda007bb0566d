package dev.espalier.policy.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.espalier.policy.generate.Completion;
import dev.espalier.policy.generate.GenerationSettings;
import dev.espalier.policy.generate.Generator;
import dev.espalier.policy.generate.Prompt;
import dev.espalier.policy.generate.TokenListener;
import dev.espalier.policy.model.CausalLm;
import dev.espalier.policy.model.ProjectionDelta;
import dev.espalier.policy.sampling.SamplingParams;

import java.io.PrintStream;
import java.util.List;

/**
 * {@code generate}: N sampled completions of one prompt, one JSON line per rollout
 * {@code {index, token_ids, logprobs, finish_reason}}. Arguments are all checked before the model is loaded.
 */
final class GenerateCommand {

    private static final ObjectMapper JSON = new ObjectMapper();

    private GenerateCommand() {
    }

    static void run(Args args, ModelLocator models, PromptInput prompts, AdapterInput adapters, PrintStream out) {
        String model = args.string("model");
        int n = args.integer("n", 4);
        if (n < 1) {
            throw new IllegalArgumentException("-n must be at least 1, got " + n);
        }
        SamplingParams sampling = new SamplingParams(
                args.number("temperature", 1.2),
                args.integer("top-k", 0),
                args.number("top-p", 1.0),
                args.number("min-p", 0.1));
        GenerationSettings settings = new GenerationSettings(sampling, args.integer("max-new-tokens", 64));
        long seed = args.longValue("seed", 0);
        int threads = Engine.threads(args);
        try (NDManager manager = Engine.start(args, threads);
             CausalLm lm = CausalLm.load(models.locate(model), manager)) {
            int[] prompt = prompts.tokenIds(args, lm);
            ProjectionDelta delta = adapters.delta(args, lm);
            args.checkAllUsed();
            List<Completion> completions = new Generator(lm).generate(
                    Prompt.repeated(prompt, n, seed), settings, delta, TokenListener.NONE);
            completions.forEach(c -> out.println(rolloutJson(c)));
        }
    }

    /** One rollout line; the text decoder adds a "text" field here once it is wired. */
    static String rolloutJson(Completion c) {
        ObjectNode line = JSON.createObjectNode();
        line.put("index", c.index());
        ArrayNode ids = line.putArray("token_ids");
        for (int id : c.tokenIds()) {
            ids.add(id);
        }
        ArrayNode logprobs = line.putArray("logprobs");
        for (float lp : c.logprobs()) {
            logprobs.add(lp);
        }
        line.put("finish_reason", c.finishReason().json());
        return line.toString();
    }
}
