package dev.espalier.policy.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.espalier.policy.model.ProcessMemory;
import dev.espalier.policy.generate.GenerationSettings;
import dev.espalier.policy.model.CausalLm;
import dev.espalier.policy.model.ModelLocator;
import dev.espalier.policy.sampling.SamplingParams;
import dev.espalier.policy.state.StateDirectory;
import dev.espalier.policy.text.TextTokenizer;
import dev.espalier.policy.state.TrainingState;
import dev.espalier.policy.train.Autopilot;
import dev.espalier.policy.train.GeneratorRollouts;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@code autopilot --model DIR --prompts FILE (--prefer REGEX | --prefer-ids 17,18) --steps N [-n 4
 * --chooser prefer|random --max-new-tokens 16 --temperature 1 --top-p 1 --min-p 0 --seed 0 --eval-every 5
 * --eval-samples 16 --eval-seed 1000 --adapter-in DIR --out DIR, training options of step]}: the game loop with a
 * scripted person. With {@code --prefer REGEX} the model directory's tokenizer.json encodes the prompts (one text per
 * line of FILE) and a completion is liked when the regex finds a match in its decoded text; with
 * {@code --prefer-ids} FILE holds one prompt per line as comma-separated token ids and a completion is liked when it
 * contains that id sequence (models without a tokenizer). Prints one JSON line per round (with the process's resident
 * memory, so a long run doubles as the native-memory leak check of docs/training.md) and per evaluation, then the
 * curve.
 */
final class AutopilotCommand {

    private static final ObjectMapper JSON = new ObjectMapper();

    private AutopilotCommand() {
    }

    static void run(Args args, ModelLocator models, PrintStream out) {
        String modelArg = args.string("model");
        Path modelDir = models.locate(modelArg);
        Path promptFile = Path.of(args.string("prompts"));
        TextTokenizer tokenizer = null;
        List<int[]> prompts;
        Predicate<int[]> liked;
        if (args.has("prefer")) {
            if (args.has("prefer-ids")) {
                throw new IllegalArgumentException("give --prefer REGEX or --prefer-ids, not both");
            }
            Pattern pattern = compile(args.string("prefer"));
            tokenizer = TextTokenizer.load(modelDir);
            TextTokenizer text = tokenizer;
            prompts = readLines(promptFile).stream().map(text::encode).toList();
            liked = ids -> pattern.matcher(text.decode(ids, true)).find();
        } else {
            prompts = readPrompts(promptFile);
            liked = Autopilot.containsSequence(args.integers("prefer-ids"));
        }
        String chooserName = args.string("chooser", "prefer");
        long seed = args.longValue("seed", 0);
        Autopilot.Chooser chooser = switch (chooserName) {
            case "prefer" -> Autopilot.Chooser.preferring(liked);
            case "random" -> Autopilot.Chooser.random(seed);
            default -> throw new IllegalArgumentException("--chooser must be prefer or random, got '" + chooserName + "'");
        };
        Autopilot.Plan plan = new Autopilot.Plan(args.integer("steps"), args.integer("n", 4), seed,
                args.integer("eval-every", 5), args.integer("eval-samples", 16), args.longValue("eval-seed", 1000),
                TrainingOptions.settings(args));
        GenerationSettings generation = new GenerationSettings(new SamplingParams(args.number("temperature", 1.0), 0,
                args.number("top-p", 1.0), args.number("min-p", 0.0)), args.integer("max-new-tokens", 16));
        Path adapterIn = args.has("adapter-in") ? args.directory("adapter-in") : null;
        Path outDir = args.has("out") ? Path.of(args.string("out")) : null;
        var lora = TrainingOptions.lora(args, modelArg);
        int threads = Engine.threads(args);
        try (TextTokenizer ignored = tokenizer;
             NDManager manager = Engine.start(args, threads);
             CausalLm model = CausalLm.load(modelDir, manager);
             TrainingState state = adapterIn == null ? TrainingState.fresh(modelDir, lora, seed, manager)
                     : TrainingState.load(adapterIn, modelDir, seed, manager)) {
            args.checkAllUsed();
            Autopilot autopilot = new Autopilot(new GeneratorRollouts(model, generation), model::logits);
            List<Autopilot.Point> curve = autopilot.run(state, prompts, liked, chooser, plan,
                    round -> out.println(JSON.createObjectNode().put("round", round.round())
                            .put("choice", round.choice()).put("loss", round.result().loss())
                            .put("grad_norm", round.result().gradNorm()).put("kl", round.result().klTerm())
                            .put("rss_mib", Math.round(ProcessMemory.rssMib()))),
                    point -> out.println(JSON.createObjectNode().put("eval_round", point.round())
                            .put("preferred_rate", point.rate())));
            if (outDir != null) {
                StateDirectory.publish(state, outDir);
            }
            ObjectNode summary = JSON.createObjectNode();
            summary.put("chooser", chooserName);
            ArrayNode rounds = summary.putArray("curve_rounds");
            ArrayNode rates = summary.putArray("curve_rates");
            curve.forEach(p -> {
                rounds.add(p.round());
                rates.add(p.rate());
            });
            out.println(summary);
        }
    }

    static List<int[]> readPrompts(Path file) {
        List<int[]> prompts = new ArrayList<>();
        for (String line : readLines(file)) {
            try {
                prompts.add(java.util.Arrays.stream(line.split(",")).mapToInt(s -> Integer.parseInt(s.strip())).toArray());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--prompts " + file + ": expected comma-separated token ids per "
                        + "line (or use --prefer REGEX for text prompts), got '" + line + "'");
            }
        }
        return prompts;
    }

    /** The non-blank lines of the prompt file. */
    private static List<String> readLines(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("--prompts " + file + ": " + e.getMessage(), e);
        }
        List<String> prompts = lines.stream().map(String::strip).filter(l -> !l.isEmpty()).toList();
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("--prompts " + file + " holds no prompt");
        }
        return prompts;
    }

    private static Pattern compile(String regex) {
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("--prefer is not a valid regular expression: " + e.getDescription());
        }
    }
}
