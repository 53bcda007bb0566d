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
import dev.espalier.policy.model.ModelLocator;
import dev.espalier.policy.model.ProjectionDelta;
import dev.espalier.policy.sampling.SamplingParams;

import dev.espalier.policy.generate.TextStream;
import dev.espalier.policy.text.TextTokenizer;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.List;

/**
 * {@code generate}: N sampled completions of one prompt, one JSON line per rollout
 * {@code {index, text, token_ids, logprobs, finish_reason}} ({@code text} when the model has a tokenizer). With
 * {@code --stream}, {@code {index, delta}} lines come first, as the text grows. Arguments are all checked before the
 * model is loaded.
 */
final class GenerateCommand {

    private static final ObjectMapper JSON = new ObjectMapper();

    private GenerateCommand() {
    }

    static final Set<String> FLAGS = Set.of("chat", "stream");

    static void run(Args args, ModelLocator models, AdapterInput adapters, PrintStream out) {
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
        boolean stream = args.flag("stream");
        Path dir = models.locate(model);
        try (NDManager manager = Engine.start(args, threads);
             CausalLm lm = CausalLm.load(dir, manager);
             TextTokenizer tok = Files.exists(dir.resolve(TextTokenizer.FILE)) ? TextTokenizer.load(dir) : null) {
            Optional<TextTokenizer> tokenizer = Optional.ofNullable(tok);
            int[] prompt = PromptArguments.tokenIds(args, tokenizer);
            ProjectionDelta delta = adapters.delta(args, lm);
            args.checkAllUsed();
            TextStream text = tokenizer.map(t -> new TextStream(t, n, stream ? deltaPrinter(out) : (row, d) -> {
            })).orElse(null);
            List<Completion> completions = new Generator(lm).generate(
                    Prompt.repeated(prompt, n, seed), settings, delta, text == null ? TokenListener.NONE : text);
            completions.forEach(c -> out.println(rolloutJson(c, text == null ? null : text.text(c.index()))));
        }
    }

    private static TextStream.Deltas deltaPrinter(PrintStream out) {
        return (row, delta) -> {
            ObjectNode line = JSON.createObjectNode().put("index", row).put("delta", delta);
            out.println(line);
            out.flush();
        };
    }

    /** One rollout line; {@code text} is null when the model has no tokenizer. */
    static String rolloutJson(Completion c, String text) {
        ObjectNode line = JSON.createObjectNode();
        line.put("index", c.index());
        if (text != null) {
            line.put("text", text);
        }
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
