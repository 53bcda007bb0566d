package dev.espalier.policy.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.espalier.policy.safetensors.SafetensorsFile;
import dev.espalier.policy.safetensors.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoraAdapterTest {

    @TempDir
    Path dir;

    static Path toyModel() {
        try {
            return Path.of(LoraAdapterTest.class.getResource("/golden/grpo-toy/model").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void discover_findsEveryTargetInBlockOrder() {
        List<LoraTarget> targets = TargetModules.discover(toyModel(), LoraConfig.DEFAULT_TARGETS);
        assertEquals(14, targets.size());
        assertEquals("model.layers.0.self_attn.q_proj", targets.get(0).modulePath());
        assertEquals("model.layers.0.mlp.down_proj", targets.get(6).modulePath());
        assertEquals("model.layers.1.self_attn.q_proj", targets.get(7).modulePath());
        assertEquals(new LoraTarget("model.layers.0.mlp.gate_proj", 16, 24), targets.get(4));
    }

    @Test
    void initialise_isPeftKaimingUniformA_zeroB_andFixedBySeed() {
        LoraConfig config = new LoraConfig(4, 8, LoraConfig.DEFAULT_TARGETS, "toy");
        List<LoraTarget> targets = TargetModules.discover(toyModel(), config.targets());
        try (NDManager manager = NDManager.newBaseManager();
             LoraAdapter a = LoraAdapter.initialise(config, targets, 7, manager);
             LoraAdapter same = LoraAdapter.initialise(config, targets, 7, manager);
             LoraAdapter other = LoraAdapter.initialise(config, targets, 8, manager)) {
            assertEquals(a.sha256(), same.sha256());
            assertNotEquals(a.sha256(), other.sha256());
            for (int i = 0; i < targets.size(); i++) {
                NDArray loraA = a.parameters().get(2 * i);
                double bound = 1 / Math.sqrt(targets.get(i).inFeatures());
                assertEquals(new Shape(4, targets.get(i).inFeatures()), loraA.getShape());
                assertTrue(loraA.abs().max().getFloat() <= bound);
                assertTrue(loraA.abs().max().getFloat() > bound / 2, "spread over the whole interval");
                assertEquals(0f, a.parameters().get(2 * i + 1).abs().sum().getFloat());
            }
            NDArray x = manager.randomNormal(new Shape(2, 3, 16));
            assertEquals(0f, a.apply("model.layers.0.self_attn.q_proj", x).abs().sum().getFloat(),
                    "a fresh adapter is the identity");
            assertEquals(null, a.apply("model.embed_tokens", x));
        }
    }

    @Test
    void saveThenLoad_roundTripsBitForBit_inPeftLayout() throws Exception {
        LoraConfig config = new LoraConfig(4, 8, List.of("q_proj", "down_proj"), "toy-base");
        try (NDManager manager = NDManager.newBaseManager();
             LoraAdapter a = LoraAdapter.initialise(config, TargetModules.discover(toyModel(), config.targets()), 3,
                     manager)) {
            a.replaceParameters(a.parameters().stream().map(p -> p.add(0.25f)).toList());
            a.save(dir);
            JsonNode json = new ObjectMapper().readTree(dir.resolve("adapter_config.json").toFile());
            assertEquals("LORA", json.get("peft_type").asText());
            assertEquals(4, json.get("r").asInt());
            assertEquals(8, json.get("lora_alpha").asInt());
            assertEquals("CAUSAL_LM", json.get("task_type").asText());
            assertEquals("toy-base", json.get("base_model_name_or_path").asText());
            assertEquals("[\"q_proj\",\"down_proj\"]", json.get("target_modules").toString());
            try (SafetensorsFile st = SafetensorsFile.open(dir.resolve("adapter_model.safetensors"))) {
                assertTrue(st.tensors().containsKey("base_model.model.model.layers.1.mlp.down_proj.lora_B.weight"));
                assertEquals(new Shape(16, 4),
                        st.info("base_model.model.model.layers.1.mlp.down_proj.lora_B.weight").shape());
                assertEquals(8, st.tensors().size());
            }
            try (LoraAdapter loaded = LoraAdapter.load(dir, toyModel(), manager)) {
                assertEquals(a.sha256(), loaded.sha256());
                assertEquals(config.targets(), loaded.config().targets());
            }
        }
    }

    @Test
    void load_refusesAdapterMadeForAnotherBase() throws Exception {
        Path otherBase = dir.resolve("other-base");
        try (NDManager manager = NDManager.newBaseManager()) {
            SafetensorsWriter writer = new SafetensorsWriter();
            for (int l = 0; l < 2; l++) { // same names, hidden 8 instead of 16
                writer.add("model.layers." + l + ".self_attn.q_proj.weight", manager.zeros(new Shape(8, 8)));
            }
            writer.write(otherBase.resolve("model.safetensors"));
            LoraConfig config = new LoraConfig(4, 8, List.of("q_proj"), "toy");
            try (LoraAdapter a = LoraAdapter.initialise(config, TargetModules.discover(toyModel(), config.targets()),
                    1, manager)) {
                a.save(dir.resolve("adapter"));
            }
            IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                    () -> LoraAdapter.load(dir.resolve("adapter"), otherBase, manager));
            assertTrue(shape.getMessage().contains("has shape (4, 16) but the base model needs (4, 8)"),
                    shape.getMessage());

            Path config2 = dir.resolve("adapter/adapter_config.json");
            Files.writeString(config2, Files.readString(config2).replace("\"q_proj\"", "\"gate_proj\""));
            IllegalArgumentException targets = assertThrows(IllegalArgumentException.class,
                    () -> LoraAdapter.load(dir.resolve("adapter"), toyModel(), manager));
            assertTrue(targets.getMessage().contains("missing base_model.model.model.layers.0.mlp.gate_proj.lora_A"),
                    targets.getMessage());
        }
        assertFalse(Files.exists(dir.resolve("adapter/adapter_model.safetensors.tmp")));
    }
}
