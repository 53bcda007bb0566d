package dev.espalier.ui.browser;

import dev.espalier.events.EventSerde;
import dev.espalier.events.SessionEvent;
import dev.espalier.events.SessionEvent.ChoiceMade;
import dev.espalier.events.SessionEvent.HeadMoved;
import dev.espalier.events.SessionEvent.PromptIssued;
import dev.espalier.events.Failure;
import dev.espalier.events.SessionEvent.RolloutsReady;
import dev.espalier.events.SessionEvent.StepApplied;
import dev.espalier.events.TokenDelta;
import dev.espalier.events.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * TEST STAND-IN for rollout-service and trainer-service, for the tests that need to know exactly what the model
 * "writes" (the real services are played in {@link FullLoopInBrowserTest}): reads {@code espalier.session-events}
 * and answers on the real topics as those services do — token deltas then
 * RolloutsReady for each PromptIssued, StepApplied for each ChoiceMade, PolicyRestored 2.5 s after each HeadMoved. The
 * texts and metrics are scripted, so the browser test can check exactly what the UI shows; answer 1 carries HTML
 * and script to prove the UI shows model output as text. A prompt holding {@link #FAIL_ONCE} gets a RolloutsFailed the
 * first time it is issued, and the first step of a pick on it a StepFailed (StepRetried then steps it).
 */
final class StandInWorkers implements AutoCloseable {

    /** What answer 1 always says: markup that must appear literally, never rendered or run. */
    static final String HOSTILE = "<script>window.__pwned = 1</script><b>bold?</b>";
    static final String CONTROL_PREFIX = "control answer at v";
    static final String FAIL_ONCE = "[fails once]";
    private final Set<String> failedOnce = ConcurrentHashMap.newKeySet();
    private final Map<UUID, String> promptOfRollouts = new ConcurrentHashMap<>();
    private final Map<UUID, ChoiceMade> choices = new ConcurrentHashMap<>();
    private static final int CHUNKS = 5;
    private static final long CHUNK_MILLIS = 150;
    private static final long RESTORE_MILLIS = 2500;

    private final KafkaProducer<String, String> producer;
    private final KafkaConsumer<String, String> consumer;
    private final Map<UUID, Long> policyOfNode = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;
    private final Map<UUID, Long> lastPolicyVersion = new ConcurrentHashMap<>();

    StandInWorkers(String bootstrapServers) {
        producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrapServers, "acks", "all"),
                new StringSerializer(), new StringSerializer());
        consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrapServers,
                "group.id", "ui-test-stand-in-" + UUID.randomUUID(), "auto.offset.reset", "earliest"),
                new StringDeserializer(), new StringDeserializer());
        consumer.subscribe(List.of(Topics.SESSION_EVENTS));
        thread = Thread.ofPlatform().name("stand-in-workers").daemon().start(this::run);
    }

    static String answer(int index, String prompt) {
        return index == 0 ? HOSTILE + " (answer to: " + prompt + ")"
                : "Answer " + (index + 1) + ": a plain reply to \"" + prompt + "\" with some words in it.";
    }

    private void run() {
        while (running) {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
                answer(EventSerde.fromJson(record.value()));
            }
        }
        consumer.close();
    }

    private void answer(SessionEvent event) {
        switch (event) {
            case SessionEvent.SessionCreated c -> policyOfNode.put(c.rootNodeId(), 0L);
            case PromptIssued p -> rollouts(p);
            case ChoiceMade c -> {
                choices.put(c.eventId(), c);
                if (promptOfRollouts.getOrDefault(c.rolloutsReadyId(), "").contains(FAIL_ONCE)
                        && failedOnce.add("step:" + c.rolloutsReadyId())) {
                    send(new SessionEvent.StepFailed(UUID.randomUUID(), c.sessionId(), Instant.now(), c.eventId(),
                            c.eventId(), c.nodeId(), new Failure(Failure.Kind.OUT_OF_MEMORY,
                            "CUDA out of memory (stand-in)")));
                } else {
                    step(c);
                }
            }
            case SessionEvent.StepRetried r -> step(choices.get(r.choiceMadeId()));
            case HeadMoved h -> {
                // A trainer replaying a step: the page shows the rebuild meanwhile, and a pick waits behind it.
                pause(RESTORE_MILLIS);
                send(new SessionEvent.PolicyRestored(UUID.randomUUID(), h.sessionId(), Instant.now(), h.eventId(),
                        h.toNodeId(), policyOfNode.getOrDefault(h.toNodeId(), 0L), 1, null));
            }
            default -> {
            }
        }
    }

    private void rollouts(PromptIssued p) {
        if (p.userText().contains(FAIL_ONCE) && failedOnce.add("rollouts:" + p.userText())) {
            send(new SessionEvent.RolloutsFailed(UUID.randomUUID(), p.sessionId(), Instant.now(), p.eventId(),
                    p.eventId(), new Failure(Failure.Kind.ERROR, "the engine broke (stand-in)")));
            return;
        }
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < p.groupSize(); i++) {
            texts.add(answer(i, p.userText()));
        }
        String control = p.controlPrompt() == null ? null : CONTROL_PREFIX + p.parentPolicyVersion();
        for (int chunk = 0; chunk < CHUNKS; chunk++) {
            for (int i = 0; i < texts.size(); i++) {
                send(new TokenDelta(p.sessionId(), p.eventId(), i, chunk, piece(texts.get(i), chunk), false));
            }
            if (control != null) {
                send(new TokenDelta(p.sessionId(), p.eventId(), TokenDelta.CONTROL, chunk, piece(control, chunk),
                        false));
            }
            pause(CHUNK_MILLIS);
        }
        List<RolloutsReady.Rollout> rollouts = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            rollouts.add(new RolloutsReady.Rollout(i, texts.get(i), List.of(10 + i, 11, 2), List.of(-1.0, -0.5,
                    -0.25), "eos"));
        }
        UUID readyId = UUID.randomUUID();
        promptOfRollouts.put(readyId, p.userText());
        send(new RolloutsReady(readyId, p.sessionId(), Instant.now(), p.eventId(), p.eventId(),
                p.parentPolicyVersion(), List.of(1, 2, 3), rollouts,
                control == null ? null : new RolloutsReady.Rollout(-1, control, List.of(5), List.of(-0.1), "eos"),
                new RolloutsReady.Timings(3, CHUNKS * CHUNK_MILLIS, 3 * texts.size())));
    }

    /** The text of one chunk: the answer cut in {@link #CHUNKS} pieces. */
    private static String piece(String text, int chunk) {
        int from = text.length() * chunk / CHUNKS;
        int to = text.length() * (chunk + 1) / CHUNKS;
        return text.substring(from, to);
    }

    private void step(ChoiceMade c) {
        pause(300);
        long version = lastPolicyVersion.merge(c.sessionId(), 1L, Long::sum);
        policyOfNode.put(c.nodeId(), version);
        double loss = 0.9 / version;
        send(new StepApplied(UUID.randomUUID(), c.sessionId(), Instant.now(), c.eventId(), c.eventId(), c.nodeId(),
                version, new StepApplied.StepMetrics(loss, loss - 0.001, 0.0001 * version, 0.5 + 0.1 * version,
                List.of(1.732, -0.577, -0.577, -0.577), List.of(0.01 * version, -0.01, 0.0, 0.002)),
                new StepApplied.AdapterRef("stand-in:" + version, "0".repeat(64)), false, 300));
    }

    private void send(SessionEvent event) {
        send(Topics.producedOn(event), Topics.key(event), EventSerde.toJson(event));
    }

    private void send(TokenDelta delta) {
        send(Topics.TOKENS, Topics.key(delta), EventSerde.toJson(delta));
    }

    private void send(String topic, String key, String value) {
        try {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("cannot write to " + topic, e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join();
        producer.close();
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
