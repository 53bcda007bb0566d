package dev.espalier.session.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class ParameterEstimateTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** tools/goldens_param_count.py: transformers' count for real models' shapes and for biased, untied variants. */
    @Test
    void countFromTheConfig_isTransformersOwnCount() throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/golden/parameter-counts.json")) {
            JsonNode cases = JSON.readTree(in);
            assertEquals(7, cases.size());
            for (JsonNode c : cases) {
                assertEquals(c.get("parameters").asLong(), ParameterEstimate.of(c.get("config")),
                        c.get("name").asText());
            }
        }
    }

    @Test
    void aConfigWithoutTheShape_hasNoCount() throws IOException {
        assertNull(ParameterEstimate.of(JSON.readTree("{\"model_type\": \"llama\", \"hidden_size\": 64}")));
    }
}
