package dev.espalier.rollout.generation;

import dev.espalier.events.SessionEvent.PromptIssued;
import dev.espalier.events.SessionEvent.RolloutsReady;
import dev.espalier.events.TokenDelta;
import dev.espalier.policy.generate.Completion;
import dev.espalier.policy.generate.FinishReason;
import dev.espalier.policy.generate.GenerationSettings;
import dev.espalier.policy.generate.Generator;
import dev.espalier.policy.generate.Prompt;
import dev.espalier.policy.generate.TokenListener;
import dev.espalier.policy.model.CausalLm;
import dev.espalier.policy.model.NonFiniteValuesException;
import dev.espalier.policy.model.ProjectionDelta;
import dev.espalier.policy.model.SharedModels;
import dev.espalier.policy.text.PromptFormat;
import dev.espalier.policy.text.StreamingDecoder;
import dev.espalier.policy.text.TextTokenizer;
import dev.espalier.rollout.policy.PolicySource;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Renders a PromptIssued with the model's tokenizer (chat template or raw prefix/suffix), generates the N rollouts
 * and the control prompt in one batch with the requested policy version, streams UTF-8-safe text deltas, and builds
 * the RolloutsReady. Deterministic: the same PromptIssued gives the same rollouts and the same event id (name-based
 * on the prompt's id), so a prompt served twice after a crash is stored once.
 */
public final class RolloutEngine implements RolloutGenerator {

    private final CausalLm model;
    private final TextTokenizer tokenizer;
    private final PolicySource policies;
    private final Clock clock;
    private final DeltaStreamer streamer;
    private final TokenListener tap;

    /**
     * @param streamer decodes and publishes the token deltas off the model thread
     * @param tap      sees every generated token on the model thread (fault injection); {@link TokenListener#NONE}
     */
    public RolloutEngine(CausalLm model, TextTokenizer tokenizer, PolicySource policies, Clock clock,
                         DeltaStreamer streamer, TokenListener tap) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.policies = policies;
        this.clock = clock;
        this.streamer = streamer;
        this.tap = tap;
    }

    public static UUID rolloutsReadyId(UUID promptIssuedId) {
        return UUID.nameUUIDFromBytes(("rollouts-ready:" + promptIssuedId).getBytes(StandardCharsets.UTF_8));
    }

    /** Runs on the process's model thread ({@link SharedModels#run}), like all model work. */
    @Override
    public RolloutsReady generate(PromptIssued p, long queuedMillis, Consumer<TokenDelta> deltas) {
        return SharedModels.run(() -> generateHere(p, queuedMillis, deltas));
    }

    private RolloutsReady generateHere(PromptIssued p, long queuedMillis, Consumer<TokenDelta> deltas) {
        ProjectionDelta policy = policies.policy(p.sessionId(), p.parentPolicyVersion());
        long started = System.nanoTime();
        PromptFormat format = SessionPrompting.format(p.format());
        int[] promptIds = format.encode(tokenizer, p.userText());
        long seed = p.sampling().seed() ^ p.eventId().getMostSignificantBits() ^ p.eventId().getLeastSignificantBits();
        List<Prompt> rows = new ArrayList<>(Prompt.repeated(promptIds, p.groupSize(), seed));
        boolean control = p.controlPrompt() != null && !p.controlPrompt().isBlank();
        if (control) {
            rows.add(new Prompt(format.encode(tokenizer, p.controlPrompt()),
                    SessionPrompting.fixedSeed(p.sampling().seed(), p.controlPrompt())));
        }
        GenerationSettings settings = SessionPrompting.settings(p.sampling(), p.sampling().maxNewTokens());
        List<StreamedDecoder> decoders = rows.stream().map(r -> new StreamedDecoder(tokenizer.streamingDecoder()))
                .toList();
        DeltaStreamer.Stream stream = streamer.open(decoders, (row, seq, text, done) -> deltas.accept(
                new TokenDelta(p.sessionId(), p.eventId(), row < p.groupSize() ? row : TokenDelta.CONTROL, seq, text,
                        done)));
        List<Completion> completions;
        try {
            completions = new Generator(model).generate(rows, settings, policy, new TokenListener() {
                @Override
                public void onToken(int row, int tokenId, float logprob) {
                    tap.onToken(row, tokenId, logprob);
                    stream.onToken(row, tokenId, logprob);
                }

                @Override
                public void onFinish(int row, FinishReason reason) {
                    stream.onFinish(row, reason);
                }
            });
        } catch (RuntimeException e) {
            stream.abandon();
            throw e;
        }
        List<String> texts = stream.finish();
        List<RolloutsReady.Rollout> rollouts = new ArrayList<>();
        int generated = 0;
        for (int i = 0; i < p.groupSize(); i++) {
            rollouts.add(rollout(i, completions.get(i), texts.get(i)));
            generated += completions.get(i).tokenIds().length;
        }
        RolloutsReady.Rollout controlOut = null;
        if (control) {
            Completion c = completions.get(p.groupSize());
            controlOut = rollout(TokenDelta.CONTROL, c, texts.get(p.groupSize()));
            generated += c.tokenIds().length;
        }
        return new RolloutsReady(rolloutsReadyId(p.eventId()), p.sessionId(), clock.instant(), p.eventId(),
                p.eventId(), p.parentPolicyVersion(), boxed(promptIds), rollouts, controlOut,
                new RolloutsReady.Timings(queuedMillis, (System.nanoTime() - started) / 1_000_000, generated));
    }

    private static RolloutsReady.Rollout rollout(int index, Completion c, String text) {
        List<Double> logprobs = new ArrayList<>(c.logprobs().length);
        for (float lp : c.logprobs()) {
            if (!Float.isFinite(lp)) {
                throw new NonFiniteValuesException("the log-probability of a token of rollout " + index);
            }
            logprobs.add((double) lp);
        }
        return new RolloutsReady.Rollout(index, text, boxed(c.tokenIds()), logprobs, c.finishReason().json());
    }

    private static List<Integer> boxed(int[] ids) {
        List<Integer> out = new ArrayList<>(ids.length);
        for (int id : ids) {
            out.add(id);
        }
        return out;
    }

    /** The policy module's streaming decoder as the streamer sees it. */
    private record StreamedDecoder(StreamingDecoder decoder) implements DeltaStreamer.Decoder {
        @Override
        public String push(int tokenId) {
            return decoder.push(tokenId);
        }

        @Override
        public String flush() {
            return decoder.flush();
        }

        @Override
        public String text() {
            return decoder.text();
        }
    }
}
