package dev.espalier.policy.cli;

import dev.espalier.hub.ConsoleProgressBar;
import dev.espalier.hub.HubClient;
import dev.espalier.hub.HubException;
import dev.espalier.policy.model.HubModelLocator;
import dev.espalier.policy.model.ModelFormatException;
import dev.espalier.policy.model.ModelLocator;
import dev.espalier.policy.safetensors.SafetensorsException;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Set;

/**
 * The {@code espalier} command line: JSON on stdout, errors on stderr with a non-zero exit (2 for bad arguments or
 * an unusable model, 1 for anything unexpected).
 *
 * <p>{@link ModelLocator} turns {@code --model} into a directory (tests use local directories only);
 * {@link AdapterInput} reads {@code --adapter}.
 */
public final class EspalierCli {

    private static final String USAGE = """
            usage: espalier <command> [arguments]
              init-model --arch llama|mistral|qwen2|qwen3 --out DIR [--vocab --hidden --layers --heads --kv-heads
                         --intermediate --head-dim --tied --seed --max-positions --rope-theta --rope-scaling llama3
                         --sliding-window --bos --eos --tokenizer FILE]
              score      --model DIR --ids 1,2,3 [--threads --device --dtype]
              generate   --model DIR (--prompt TEXT [--chat --system S --prefix P --suffix S] | --prompt-ids 1,2,3)
                         [-n 4 --max-new-tokens 64 --temperature 1.2 --top-p 1 --min-p 0.1 --top-k 0 --seed 7
                         --stream --threads --device --dtype]
            --device cpu|gpu[N] ($ESPALIER_DEVICE); --dtype auto|float32|float16 ($ESPALIER_DTYPE; auto is float16 on a GPU)
            --model is a model directory or a Hugging Face id org/name[@revision] (downloaded into the HF cache;
            HF_HOME, HF_HUB_CACHE, HF_TOKEN, HF_ENDPOINT and HF_HUB_OFFLINE are honoured).
              bench      [--model DIR --n 4 --prompt-tokens 64 --new-tokens 128 --repeat 3 --threads --only decode|grpo
                         --logit-chunk-mib 256 (0 = the step's logits in one piece)]
              step       --model DIR --adapter-in DIR|none --case CASE.json --out DIR [--objective grpo|dpo
                         --aggregation seq-mean|seq-sum|token-mean --lr --kl-beta --weight-decay --max-grad-norm
                         --dpo-beta --lora-rank --lora-alpha --lora-targets --seed --threads]
              merge      --model DIR --adapter DIR --out DIR
              fetch-model --model ID|DIR   download into the HF cache and check config, tensors and tokenizer
              autopilot  --model DIR --prompts FILE --prefer REGEX|--prefer-ids 1,2 --steps N [-n 4 --chooser prefer|random
                         --max-new-tokens 16 --temperature 1 --eval-every 5 --eval-samples 16 --out DIR, step options]
            """;

    private final ModelLocator models;
    private final AdapterInput adapters;

    public EspalierCli(ModelLocator models, AdapterInput adapters) {
        this.models = models;
        this.adapters = adapters;
    }

    public static void main(String[] argv) {
        ModelLocator models = new HubModelLocator(HubClient.fromEnvironment(), new ConsoleProgressBar(System.err));
        int status = new EspalierCli(models, new LoraAdapterInput(models))
                .run(argv, System.out, System.err);
        System.exit(status);
    }

    public int run(String[] argv, PrintStream out, PrintStream err) {
        if (argv.length == 0 || argv[0].equals("--help") || argv[0].equals("help")) {
            (argv.length == 0 ? err : out).print(USAGE);
            return argv.length == 0 ? 2 : 0;
        }
        String command = argv[0];
        try {
            switch (command) {
                case "init-model" -> out.println(InitModelCommand.run(Args.parse(argv, 1, InitModelCommand.FLAGS)));
                case "score" -> out.println(ScoreCommand.run(Args.parse(argv, 1, Set.of()), models, adapters));
                case "generate" -> GenerateCommand.run(Args.parse(argv, 1, GenerateCommand.FLAGS), models, adapters, out);
                case "bench" -> out.println(BenchCommand.run(Args.parse(argv, 1, Set.of())));
                case "step" -> out.println(StepCommand.run(Args.parse(argv, 1, Set.of()), models));
                case "merge" -> out.println(MergeCommand.run(Args.parse(argv, 1, Set.of()), models));
                case "fetch-model" -> out.println(FetchModelCommand.run(Args.parse(argv, 1, Set.of()), models));
                case "autopilot" -> AutopilotCommand.run(Args.parse(argv, 1, Set.of()), models, out);
                default -> {
                    err.println("espalier: unknown command '" + command + "'");
                    err.print(USAGE);
                    return 2;
                }
            }
            out.flush();
            return 0;
        } catch (IllegalArgumentException | ModelFormatException | SafetensorsException | HubException e) {
            err.println("espalier " + command + ": " + e.getMessage());
            if (System.getenv("ESPALIER_TRACE") != null) {
                e.printStackTrace(err);
            }
            return 2;
        } catch (UncheckedIOException e) {
            err.println("espalier " + command + ": " + e.getMessage());
            return 1;
        }
    }
}
