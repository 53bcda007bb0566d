package dev.espalier.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.espalier.events.SessionEvent.StepApplied;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The engine-service, which {@code ./espalier up} runs: the trainer-service and the rollout-service in one JVM. A
 * session plays a choice through it (rollouts of the base model, a step, rollouts of the new policy, whose adapter
 * the rollout side downloaded from the trainer side of the same process), and that process holds the base model's
 * weights once.
 */
class EngineServiceTest {

    private static Stack stack;
    private static PlayedSession session;

    @BeforeAll
    static void playOneChoice() {
        stack = Stack.withEngine();
        session = PlayedSession.create(stack, ServicesLoopTest.setup(stack, 4));
        session.choose(1);
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void choice_isTrained_andTheNextRolloutsComeFromTheNewPolicy_allInTheEngineProcess() {
        assertSame(stack.trainer, stack.rollout, "one process for both");
        JsonNode view = session.view();
        assertEquals(1, view.get("policyVersion").asLong());
        assertEquals(1, view.get("rollouts").get("policyVersion").asLong(), "rollouts of the trained policy");

        String metrics = Http.getText(stack.trainer("/q/metrics"));
        assertEquals(1.0, ObservabilityTest.value(metrics, "espalier_trainer_step_seconds_count"),
                "the step ran here");
        assertEquals(2.0, ObservabilityTest.value(metrics, "espalier_rollout_tokens_per_second_count"),
                "both prompts (versions 0 and 1) were generated here");
        assertTrue(metrics.contains("kafka-consumer-trainer-session-events")
                && metrics.contains("kafka-consumer-rollout-session-events"), "two consumers, one per channel");
    }

    @Test
    void baseModelWeights_areMappedOnce_inTheProcessThatTrainsAndGenerates() throws IOException {
        Path weights = stack.model.resolve("model.safetensors");
        long fileBytes = Files.size(weights);

        long engine = mappedBytes(stack.trainer.pid(), weights);

        // Each tensor is mapped on its own (page-aligned); two loads would map the file twice.
        assertTrue(engine >= fileBytes * 9 / 10 && engine < fileBytes * 3 / 2,
                "one copy of " + fileBytes + " bytes expected, mapped " + engine);
        assertEquals(0, mappedBytes(stack.session.pid(), weights), "the session-service loads no model");
    }

    @Test
    void trainerAndRolloutApis_shareTheEnginesPort_withoutClashingPaths() {
        StepApplied step = session.audit().stream().filter(StepApplied.class::isInstance).map(StepApplied.class::cast)
                .findFirst().orElseThrow();

        // Trainer: POST /sessions/{id}/policies/{v}/replay. Rollout-service: POST /sessions/{id}/ask.
        JsonNode replay = Http.post(stack.trainer("/sessions/" + session.id + "/policies/1/replay"), Map.of(), 200);
        JsonNode answer = Http.post(stack.rollout("/sessions/" + session.id + "/ask"),
                Map.of("prompt", "Say hello.", "maxNewTokens", 3), 200);

        assertEquals(step.adapter().sha256(), replay.get("sha256").asText());
        assertEquals(1, answer.get("policyVersion").asLong(), "asked at HEAD, the trained policy");
        assertTrue(answer.get("tokens").asInt() >= 1, answer.toString());
    }

    /** Bytes of {@code file} mapped into process {@code pid}: the sizes of its mappings in /proc/PID/maps. */
    private static long mappedBytes(long pid, Path file) throws IOException {
        String path = file.toRealPath().toString();
        long bytes = 0;
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "maps"))) {
            String[] fields = line.trim().split("\\s+", 6);
            if (fields.length == 6 && fields[5].equals(path)) {
                String[] range = fields[0].split("-");
                bytes += Long.parseUnsignedLong(range[1], 16) - Long.parseUnsignedLong(range[0], 16);
            }
        }
        return bytes;
    }
}
