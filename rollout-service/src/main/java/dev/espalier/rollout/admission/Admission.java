package dev.espalier.rollout.admission;

import dev.espalier.events.SessionConfig;
import dev.espalier.policy.model.MemoryEstimate;
import dev.espalier.policy.model.ModelConfig;
import dev.espalier.policy.text.TextTokenizer;
import dev.espalier.policy.train.StepSettings;
import dev.espalier.rollout.generation.SessionPrompting;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Whether settings the session-service is about to accept can run on the served model: every prompt named, as the
 * model reads it (chat template and system prompt included), leaves room for {@code maxNewTokens} in the context,
 * and a generation and a step of that size fit in the memory the engine has ({@link MemoryEstimate}; the trainer is
 * taken to have what this process has, as it does in the one-JVM stack and on one GPU host).
 */
public final class Admission {

    /** A text to check and the request field it came from. */
    public record NamedText(String argument, String text) {
    }

    /** @param format how the prompts are rendered; {@code prompts} the texts the person typed */
    public record Request(SessionConfig.PromptFormat format, List<NamedText> prompts, int groupSize,
                         int maxNewTokens) {
    }

    public record Refusal(String argument, String error) {
    }

    /**
     * @param longestPromptTokens the longest prompt checked, in tokens
     * @param memoryNeededBytes   the larger of the generation's and the step's estimate
     */
    public record Verdict(int contextTokens, int longestPromptTokens, long memoryNeededBytes,
                          long memoryAvailableBytes, List<Refusal> refusals) {
    }

    private final ModelConfig model;
    private final TextTokenizer tokenizer;
    private final LongSupplier availableMemory;

    public Admission(ModelConfig model, TextTokenizer tokenizer, LongSupplier availableMemory) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.availableMemory = availableMemory;
    }

    public Verdict check(Request request) {
        if (request.format() == null || request.prompts() == null) {
            throw new IllegalArgumentException("format and prompts are required");
        }
        int context = model.maxPositions();
        int maxNew = request.maxNewTokens();
        List<Refusal> refusals = new ArrayList<>();
        int longest = 0;
        var format = SessionPrompting.format(request.format());
        for (NamedText prompt : request.prompts()) {
            int tokens = format.encode(tokenizer, prompt.text()).length;
            longest = Math.max(longest, tokens);
            if (tokens + maxNew > context) {
                refusals.add(new Refusal(prompt.argument(), "is " + tokens + " tokens as the model reads it (chat "
                        + "template included); with maxNewTokens " + maxNew + " that is more than the model's context of "
                        + context + " tokens: shorten it, or lower sampling.maxNewTokens"));
            }
        }
        int rows = request.groupSize();
        int slice = StepSettings.DEFAULTS.withLogitChunkBytes(StepSettings.DEFAULT_LOGIT_CHUNK_BYTES)
                .chunkPositions(rows, maxNew, model.vocabSize());
        long needed = Math.max(MemoryEstimate.generation(model, rows + 1, longest, maxNew),
                MemoryEstimate.step(model, rows, longest, maxNew, slice));
        long available = availableMemory.getAsLong();
        if (needed > available) {
            refusals.add(new Refusal("sampling.maxNewTokens", String.format(Locale.ROOT, "groupSize %d x "
                    + "maxNewTokens %d needs about %.1f GiB for a training step or a generation on this model; the "
                    + "engine has %.1f GiB for that: lower sampling.maxNewTokens or groupSize", rows, maxNew,
                    needed / 1073741824.0, available / 1073741824.0)));
        }
        return new Verdict(context, longest, needed, available, List.copyOf(refusals));
    }
}
