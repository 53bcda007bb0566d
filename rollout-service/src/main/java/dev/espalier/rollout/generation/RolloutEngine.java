package dev.espalier.rollout.generation;

import dev.espalier.events.SessionConfig;
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
import dev.espalier.policy.model.ProjectionDelta;
import dev.espalier.policy.model.SharedModels;
import dev.espalier.policy.sampling.SamplingParams;
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
    private final TokenListener tap;

    /** @param tap sees every generated token before it is decoded (fault injection); {@link TokenListener#NONE} */
    public RolloutEngine(CausalLm model, TextTokenizer tokenizer, PolicySource policies, Clock clock,
                         TokenListener tap) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.policies = policies;
        this.clock = clock;
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
        SessionConfig.Sampling s = p.sampling();
        GenerationSettings settings = new GenerationSettings(
                new SamplingParams(s.temperature(), 0, s.topP(), s.minP()), s.maxNewTokens());
        Streams streams = new Streams(p, rows.size(), control, deltas);
        List<Completion> completions = new Generator(model).generate(rows, settings, policy, streams);
        List<RolloutsReady.Rollout> rollouts = new ArrayList<>();
        int generated = 0;
        for (int i = 0; i < p.groupSize(); i++) {
            rollouts.add(rollout(i, completions.get(i), streams.text(i)));
            generated += completions.get(i).tokenIds().length;
        }
        RolloutsReady.Rollout controlOut = null;
        if (control) {
            Completion c = completions.get(p.groupSize());
            controlOut = rollout(TokenDelta.CONTROL, c, streams.text(p.groupSize()));
            generated += c.tokenIds().length;
        }
        return new RolloutsReady(rolloutsReadyId(p.eventId()), p.sessionId(), clock.instant(), p.eventId(),
                p.eventId(), p.parentPolicyVersion(), boxed(promptIds), rollouts, controlOut,
                new RolloutsReady.Timings(queuedMillis, (System.nanoTime() - started) / 1_000_000, generated));
    }

    private static RolloutsReady.Rollout rollout(int index, Completion c, String text) {
        List<Double> logprobs = new ArrayList<>(c.logprobs().length);
        for (float lp : c.logprobs()) {
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

    /** Per row: a streaming decoder and the delta sequence number. */
    private final class Streams implements TokenListener {
        private final PromptIssued prompt;
        private final int groupSize;
        private final StreamingDecoder[] decoders;
        private final long[] seq;
        private final Consumer<TokenDelta> deltas;

        Streams(PromptIssued prompt, int rows, boolean control, Consumer<TokenDelta> deltas) {
            this.prompt = prompt;
            this.groupSize = prompt.groupSize();
            this.decoders = new StreamingDecoder[rows];
            this.seq = new long[rows];
            this.deltas = deltas;
            for (int i = 0; i < rows; i++) {
                decoders[i] = tokenizer.streamingDecoder();
            }
        }

        @Override
        public void onToken(int row, int tokenId, float logprob) {
            tap.onToken(row, tokenId, logprob);
            String text = decoders[row].push(tokenId);
            if (!text.isEmpty()) {
                send(row, text, false);
            }
        }

        @Override
        public void onFinish(int row, FinishReason reason) {
            send(row, decoders[row].flush(), true);
        }

        String text(int row) {
            return decoders[row].text();
        }

        private void send(int row, String text, boolean done) {
            int index = row < groupSize ? row : TokenDelta.CONTROL;
            deltas.accept(new TokenDelta(prompt.sessionId(), prompt.eventId(), index, seq[row]++, text, done));
        }
    }
}
