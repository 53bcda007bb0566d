package dev.espalier.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What an operator scrapes and probes, on the three services running a real choice: readiness that covers Kafka and
 * the database, and the Prometheus meters of docs/local-stack.md (step latency, tokens/s, queue depth, consumer lag).
 */
class ObservabilityTest {

    private static Stack stack;

    @BeforeAll
    static void playOneChoice() {
        stack = new Stack();
        PlayedSession session = PlayedSession.create(stack, ServicesLoopTest.setup(stack, 4));
        session.choose(1);
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void trainer_timesEachStep_andReportsItsConsumerLag() {
        String metrics = Http.getText(stack.trainer("/q/metrics"));

        assertTrue(value(metrics, "espalier_trainer_step_seconds_count") >= 1, "one step timed");
        assertTrue(value(metrics, "espalier_trainer_step_seconds_sum") > 0);
        assertTrue(metrics.contains("kafka_consumer_fetch_manager_records_lag_max"), "consumer lag exported");
    }

    @Test
    void rollout_countsTokensAndTheirRate_andShowsItsQueueDepth_andConsumerLag() {
        String metrics = Http.getText(stack.rollout("/q/metrics"));

        assertTrue(value(metrics, "espalier_rollout_tokens_total") > 0);
        assertTrue(value(metrics, "espalier_rollout_tokens_per_second_count") >= 2, "two prompts answered");
        assertTrue(value(metrics, "espalier_rollout_tokens_per_second_sum") > 0);
        assertEquals(0.0, value(metrics, "espalier_rollout_queue_depth"), "nothing waiting once answered");
        assertTrue(metrics.contains("kafka_consumer_fetch_manager_records_lag_max"), "consumer lag exported");
    }

    @Test
    void everyService_isLiveAndReady_andReadinessCoversKafkaAndTheDatabase() {
        for (URI base : List.of(stack.session("/"), stack.trainer("/"), stack.rollout("/"))) {
            assertEquals("UP", Http.get(base.resolve("/q/health/live")).get("status").asText(), base.toString());
            JsonNode ready = Http.get(base.resolve("/q/health/ready"));
            assertEquals("UP", ready.get("status").asText(), base + " " + ready);
            List<String> checks = new ArrayList<>();
            ready.get("checks").forEach(c -> checks.add(c.get("name").asText()));
            assertTrue(checks.stream().anyMatch(n -> n.toLowerCase().contains("kafka")
                    || n.toLowerCase().contains("messaging")), base + " checks " + checks);
            if (!base.equals(stack.rollout("/"))) {
                assertTrue(checks.stream().anyMatch(n -> n.toLowerCase().contains("database")),
                        base + " checks " + checks);
            }
        }
        assertTrue(Http.getText(stack.session("/q/metrics")).contains("kafka_producer"), "outbox producer metrics");
    }

    /** The value of the first sample of {@code name} (with or without labels). */
    static double value(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "(?:\\{[^}]*})? ([0-9.eE+-]+|NaN)$").matcher(metrics);
        assertTrue(m.find(), name + " missing from:\n" + metrics.lines().filter(l -> l.startsWith("espalier"))
                .reduce("", (a, b) -> a + b + "\n"));
        return Double.parseDouble(m.group(1));
    }
}
