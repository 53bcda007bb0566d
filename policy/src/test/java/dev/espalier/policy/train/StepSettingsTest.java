package dev.espalier.policy.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class StepSettingsTest {

    @Test
    void settingsJournaledBeforeSlicing_readAsUnsliced_soOldStepsReplayAsTheyWereMade() throws Exception {
        String journaled = "{\"objective\":\"GRPO\",\"aggregation\":\"SEQ_MEAN\",\"learningRate\":2.0E-5,"
                + "\"klBeta\":0.03,\"weightDecay\":0.0,\"maxGradNorm\":1.0,\"dpoBeta\":0.1}";
        StepSettings old = new ObjectMapper().readValue(journaled, StepSettings.class);
        assertEquals(0, old.logitChunkBytes());
        assertEquals(0, old.chunkPositions(16, 1500, 151_936));
        StepSettings now = StepSettings.DEFAULTS.withLogitChunkBytes(StepSettings.DEFAULT_LOGIT_CHUNK_BYTES);
        ObjectMapper json = new ObjectMapper();
        assertEquals(now, json.readValue(json.writeValueAsString(now), StepSettings.class));
    }

    @Test
    void aBatchWhoseLogitsFit_isScoredWhole_aLargerOneInSlicesWithinTheBudget() {
        StepSettings s = StepSettings.DEFAULTS.withLogitChunkBytes(256L << 20);
        assertEquals(0, s.chunkPositions(4, 128, 49_152), "SmolLM2's 4 x 128: 96 MiB of logits, one piece");
        // The demo's 16 x 1500 on a 151,936-token vocabulary: 14.6 GB at once; 27 positions (249 MiB) per slice.
        assertEquals(27, s.chunkPositions(16, 1500, 151_936));
        assertEquals(1, StepSettings.DEFAULTS.withLogitChunkBytes(1).chunkPositions(16, 1500, 151_936),
                "never less than one position");
        assertThrows(IllegalArgumentException.class, () -> StepSettings.DEFAULTS.withLogitChunkBytes(-1));
    }
}
