package dev.espalier.session.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.espalier.hub.FakeHub;
import dev.espalier.hub.HubClient;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class ModelPreviewerTest {

    static final String CONFIG = """
            {"architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", "hidden_size": 32,
             "num_hidden_layers": 2, "vocab_size": 64, "max_position_embeddings": 128, "intermediate_size": 64,
             "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 8, "tie_word_embeddings": true}
            """;

    @TempDir
    Path dir;

    /** A model directory with a real safetensors header: [64, 32] float32 and [32] bf16, zero-filled. */
    public static Path tinyModel(Path dir) throws IOException {
        Files.writeString(dir.resolve("config.json"), CONFIG);
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": \"{{ messages }}\"}");
        String header = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"model.embed_tokens.weight\":{\"dtype\":\"F32\",\"shape\":[64,32],\"data_offsets\":[0,8192]},"
                + "\"model.norm.weight\":{\"dtype\":\"BF16\",\"shape\":[32],\"data_offsets\":[8192,8256]}}";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer file = ByteBuffer.allocate(8 + json.length + 8256).order(ByteOrder.LITTLE_ENDIAN);
        file.putLong(json.length).put(json);
        Files.write(dir.resolve("model.safetensors"), file.array());
        return dir;
    }

    private HubClient hub(FakeHub loopback) {
        return HubClient.builder().endpoint(loopback.endpoint()).cacheDir(dir.resolve("hf-cache")).build();
    }

    @Test
    void localDirectory_countsTheWeightsFromTheSafetensorsHeaders_andReadsTheConfig() throws Exception {
        Path model = tinyModel(Files.createDirectory(dir.resolve("model")));
        ModelPreview p = new ModelPreviewer(HubClient.builder().cacheDir(dir.resolve("hf-cache")).build())
                .preview(model.toString());

        assertEquals(new ModelPreview(model.toString(), "Qwen3ForCausalLM", "qwen3", 64L * 32 + 32, true,
                64L * 32 * 4 + 32 * 2, 32, 2, 64, 128, true, "local"), p);
    }

    @Test
    void hubId_fetchesOnlyTheSmallFiles_estimatesTheCount_andIsServedFromTheCacheNextTime() throws Exception {
        try (FakeHub loopback = new FakeHub()) {
            loopback.addTextRepo("models/espalier/tiny", "0123456789abcdef0123456789abcdef01234567", Map.of(
                    "config.json", CONFIG,
                    "tokenizer_config.json", "{\"eos_token\": \"</s>\"}",
                    "model.safetensors.index.json", "{\"metadata\": {\"total_size\": 123456}, \"weight_map\": {}}",
                    "model-00001-of-00001.safetensors", "weights are not fetched for a preview"));
            ModelPreviewer previewer = new ModelPreviewer(hub(loopback));

            ModelPreview first = previewer.preview("espalier/tiny");
            ModelPreview again = previewer.preview("espalier/tiny");

            // Embeddings 64·32, per layer q,k,v,o 4·32·8 + 2·(32·2·8) + 4·8·32, q/k norms 2·8, MLP 3·32·64 and
            // two norms, the final norm; tied head.
            long estimate = 64 * 32 + 2 * (1024 + 1024 + 1024 + 16 + 3 * 32 * 64 + 64) + 32;
            assertEquals(new ModelPreview("espalier/tiny", "Qwen3ForCausalLM", "qwen3", estimate, false, 123456L,
                    32, 2, 64, 128, false, "hub"), first);
            assertEquals("cache", again.source());
            assertTrue(loopback.requests.stream().noneMatch(r -> r.path().endsWith("model-00001-of-00001.safetensors")),
                    "the weights are not downloaded: " + loopback.requests);
        }
    }

    @Test
    void aMissingModel_isRefusedNamingIt() throws Exception {
        try (FakeHub loopback = new FakeHub()) {
            ModelPreviewer previewer = new ModelPreviewer(hub(loopback));
            var noDir = assertThrows(ModelPreviewException.class,
                    () -> previewer.preview(dir.resolve("nowhere").toString()));
            assertTrue(noDir.missing() && noDir.getMessage().contains("nowhere"), noDir.getMessage());
            var noRepo = assertThrows(ModelPreviewException.class, () -> previewer.preview("espalier/absent"));
            assertTrue(noRepo.missing() && noRepo.getMessage().contains("espalier/absent"), noRepo.getMessage());
            Files.createDirectory(dir.resolve("empty"));
            var noConfig = assertThrows(ModelPreviewException.class,
                    () -> previewer.preview(dir.resolve("empty").toString()));
            assertFalse(noConfig.missing());
            assertTrue(noConfig.getMessage().contains("config.json"), noConfig.getMessage());
        }
    }
}
