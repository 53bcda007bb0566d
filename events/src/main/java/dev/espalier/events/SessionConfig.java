package dev.espalier.events;

import java.util.List;
import java.util.Objects;

/**
 * Everything a session is set up with (DESIGN.md §1). Carried whole by {@link SessionEvent.SessionCreated}, so a
 * session can be replayed without any other configuration. The compact constructors reject values no service could
 * use, naming the field; defaults live here so the REST API, the UI and the CLI agree on them.
 */
public record SessionConfig(
        String model,
        PromptSourceSpec prompts,
        PromptFormat format,
        int groupSize,
        Sampling sampling,
        Lora lora,
        Objective objective,
        double learningRate,
        double klBeta,
        double weightDecay,
        double maxGradNorm,
        double dpoBeta,
        int checkpointEvery,
        String controlPrompt) {

    public static final int DEFAULT_GROUP_SIZE = 4;
    public static final double DEFAULT_LEARNING_RATE = 2e-5;
    public static final double DEFAULT_KL_BETA = 0.03;
    public static final double DEFAULT_WEIGHT_DECAY = 0.0;
    public static final double DEFAULT_MAX_GRAD_NORM = 1.0;
    public static final double DEFAULT_DPO_BETA = 0.1;
    public static final int DEFAULT_CHECKPOINT_EVERY = 5;
    /** The longest prompt (system prompt, control prompt or user text) accepted, in characters. */
    public static final int MAX_PROMPT_CHARS = 16_384;

    public SessionConfig {
        require(model != null && !model.isBlank(), "model", "must name a Hugging Face model id or a local directory");
        Objects.requireNonNull(prompts, "prompts");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(sampling, "sampling");
        Objects.requireNonNull(lora, "lora");
        Objects.requireNonNull(objective, "objective");
        require(groupSize >= 2 && groupSize <= 16, "groupSize", "must be between 2 and 16, was " + groupSize);
        require(learningRate > 0 && learningRate < 1, "learningRate", "must be in (0, 1), was " + learningRate);
        require(klBeta >= 0, "klBeta", "must be >= 0, was " + klBeta);
        require(weightDecay >= 0, "weightDecay", "must be >= 0, was " + weightDecay);
        require(maxGradNorm >= 0, "maxGradNorm", "must be >= 0 (0 = no clipping), was " + maxGradNorm);
        require(dpoBeta > 0, "dpoBeta", "must be > 0, was " + dpoBeta);
        require(checkpointEvery >= 1, "checkpointEvery", "must be >= 1, was " + checkpointEvery);
        requirePromptLength(controlPrompt, "controlPrompt");
    }

    public enum Objective { GRPO, DPO }

    /** Where prompts come from; {@code orderSeed} fixes the order they are played in. */
    public record PromptSourceSpec(Kind kind, String location, String revision, String textColumn,
                                   List<String> typed, long orderSeed) {
        public enum Kind { HF_DATASET, LOCAL_FILE, TYPED }

        public PromptSourceSpec {
            require(kind != null, "prompts.kind", "must be one of HF_DATASET, LOCAL_FILE, TYPED");
            typed = typed == null ? List.of() : List.copyOf(typed);
            if (kind == Kind.TYPED) {
                require(!typed.isEmpty(), "prompts.typed", "must hold at least one prompt");
                for (int i = 0; i < typed.size(); i++) {
                    require(!typed.get(i).isBlank(), "prompts.typed[" + i + "]", "must not be blank");
                    requirePromptLength(typed.get(i), "prompts.typed[" + i + "]");
                }
            } else {
                require(location != null && !location.isBlank(), "prompts.location",
                        kind == Kind.HF_DATASET ? "must name a dataset id" : "must name a .jsonl, .csv or .txt file");
            }
        }
    }

    /** How a prompt becomes model input: chat messages through the chat template, or raw text with prefix/suffix. */
    public record PromptFormat(Mode mode, String systemPrompt, String prefix, String suffix) {
        public enum Mode { CHAT, RAW }

        public PromptFormat {
            require(mode != null, "format.mode", "must be CHAT or RAW");
            prefix = prefix == null ? "" : prefix;
            suffix = suffix == null ? "" : suffix;
            requirePromptLength(systemPrompt, "format.systemPrompt");
            // A RAW prompt is prefix + text + suffix; the policy's PromptFormat refuses a system prompt there too.
            require(mode == Mode.CHAT || systemPrompt == null || systemPrompt.isBlank(), "format.systemPrompt",
                    "is only used in CHAT mode; a RAW prompt is prefix + text + suffix");
        }
    }

    public record Sampling(double temperature, double minP, double topP, int maxNewTokens, long seed) {
        public static final double DEFAULT_TEMPERATURE = 1.2;
        public static final double DEFAULT_MIN_P = 0.1;
        public static final double DEFAULT_TOP_P = 1.0;
        public static final int DEFAULT_MAX_NEW_TOKENS = 256;

        public Sampling {
            require(temperature >= 0, "sampling.temperature", "must be >= 0 (0 = greedy), was " + temperature);
            require(minP >= 0 && minP < 1, "sampling.minP", "must be in [0, 1), was " + minP);
            require(topP > 0 && topP <= 1, "sampling.topP", "must be in (0, 1], was " + topP);
            require(maxNewTokens >= 1 && maxNewTokens <= 8192, "sampling.maxNewTokens",
                    "must be between 1 and 8192, was " + maxNewTokens);
        }
    }

    public record Lora(int rank, double alpha, List<String> targets) {
        public static final int DEFAULT_RANK = 16;
        public static final double DEFAULT_ALPHA = 16;
        public static final List<String> DEFAULT_TARGETS =
                List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

        public Lora {
            require(rank >= 1 && rank <= 256, "lora.rank", "must be between 1 and 256, was " + rank);
            require(alpha > 0, "lora.alpha", "must be > 0, was " + alpha);
            require(targets != null && !targets.isEmpty(), "lora.targets", "must name at least one module");
            targets = List.copyOf(targets);
        }
    }

    static void require(boolean ok, String field, String message) {
        if (!ok) {
            throw new InvalidConfigException(field, message);
        }
    }

    /** Not longer than {@link #MAX_PROMPT_CHARS}, and no NUL, which the event store cannot hold. */
    private static void requirePromptLength(String text, String field) {
        if (text != null && text.length() > MAX_PROMPT_CHARS) {
            throw new PromptTooLargeException(field, text.length());
        }
        require(!StoredText.holdsNul(text), field, "must not contain the NUL character (U+0000)");
    }

    /** A setting no service could run with; names the field so a form can point at it. */
    public static class InvalidConfigException extends IllegalArgumentException {
        private final String field;

        public InvalidConfigException(String field, String message) {
            super(field + " " + message);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }

    /** A prompt longer than {@link #MAX_PROMPT_CHARS}. */
    public static final class PromptTooLargeException extends InvalidConfigException {
        public PromptTooLargeException(String field, int length) {
            super(field, "is " + length + " characters, more than the " + MAX_PROMPT_CHARS + " allowed");
        }
    }
}
