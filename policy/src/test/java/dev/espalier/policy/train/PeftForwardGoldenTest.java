package dev.espalier.policy.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.espalier.policy.lora.LoraAdapter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** An adapter written by peft's save_pretrained gives, through this engine, the logits peft computes. */
class PeftForwardGoldenTest {

    @ParameterizedTest
    @ValueSource(strings = {"grpo-toy", "grpo-llama"})
    void peftWrittenAdapter_givesPeftLogits(String fixture) {
        Path golden = Golden.dir(fixture);
        JsonNode expectedJson = Golden.json(golden.resolve("logits.json"));
        try (NDManager manager = NDManager.newBaseManager();
             Golden.Model model = Golden.model(fixture, manager);
             LoraAdapter adapter = LoraAdapter.load(golden.resolve("start"), golden.resolve("model"), manager)) {
            long[] ids = new long[expectedJson.get("ids").size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = expectedJson.get("ids").get(i).asLong();
            }
            NDArray tokens = manager.create(ids, new Shape(1, ids.length));
            NDArray valid = manager.ones(tokens.getShape(), DataType.BOOLEAN);
            NDArray logits = model.logits(tokens, valid, adapter, 0).squeeze(0); // [T, V]
            float[][] rows = Golden.JSON.convertValue(expectedJson.get("logits"), float[][].class);
            NDArray expected = manager.create(rows);
            double err = Golden.relativeError(logits, expected);
            assertTrue(err <= 1e-4, "relative error " + err); // DESIGN: same logits within 1e-4 relative
        }
    }
}
