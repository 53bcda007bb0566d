package dev.espalier.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.espalier.policy.safetensors.SafetensorsFile;
import dev.espalier.policy.safetensors.SafetensorsWriter;
import dev.espalier.policy.safetensors.TensorInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CausalLmLoadTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    private NDManager manager;
    private Path model;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager();
        model = TestModels.llama(tmp.resolve("model"));
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    @Test
    void load_readsConfigAndGenerationConfig() {
        try (CausalLm lm = CausalLm.load(model, manager)) {
            assertEquals(Architecture.LLAMA, lm.config().architecture());
            assertEquals(2, lm.config().kvGroups());
            assertEquals(8, lm.config().headDim());
            assertEquals(java.util.List.of(2), lm.generationConfig().eosTokenIds());
        }
    }

    @Test
    void load_isRejected_whenArchitectureUnknown() throws Exception {
        ObjectNode config = (ObjectNode) JSON.readTree(model.resolve("config.json").toFile());
        config.putArray("architectures").add("GPT2LMHeadModel");
        Files.writeString(model.resolve("config.json"), config.toString());
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> CausalLm.load(model, manager));
        assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains("GPT2LMHeadModel"), e.getMessage());
    }

    @Test
    void load_isRejected_whenDirectoryHoldsNoModel() {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> CausalLm.load(tmp, manager));
        assertTrue(e.getMessage().contains("no config.json"), e.getMessage());
    }

    @Test
    void load_isRejected_whenTensorMissing_namingFileAndTensor() {
        rewriteWithout("model.layers.1.mlp.up_proj.weight", null);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> CausalLm.load(model, manager));
        assertTrue(e.getMessage().contains("model.safetensors") && e.getMessage().contains("missing 1 [model.layers.1.mlp.up_proj.weight]"),
                e.getMessage());
    }

    @Test
    void load_isRejected_whenTensorUnexpected() {
        rewriteWithout(null, "model.layers.0.self_attn.q_proj.lora_A.weight");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> CausalLm.load(model, manager));
        assertTrue(e.getMessage().contains("unexpected 1 [model.layers.0.self_attn.q_proj.lora_A.weight]"), e.getMessage());
    }

    @Test
    void load_isRejected_whenShapeDiffersFromConfig() throws Exception {
        ObjectNode config = (ObjectNode) JSON.readTree(model.resolve("config.json").toFile());
        config.put("intermediate_size", 48);
        Files.writeString(model.resolve("config.json"), config.toString());
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> CausalLm.load(model, manager));
        assertTrue(e.getMessage().contains("model.safetensors") && e.getMessage().contains("model.layers.0.mlp.gate_proj.weight")
                && e.getMessage().contains("(48, 32)"), e.getMessage());
    }

    @Test
    void load_isRejected_whenFileTruncated() throws Exception {
        Path file = model.resolve("model.safetensors");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 100);
        }
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> CausalLm.load(model, manager));
        assertTrue(e.getMessage().contains("model.safetensors") && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void load_readsShardedCheckpoint_withTheSameLogitsAsOneFile() throws Exception {
        Path sharded = tmp.resolve("sharded");
        Files.createDirectories(sharded);
        Files.copy(model.resolve("config.json"), sharded.resolve("config.json"));
        Files.copy(model.resolve("generation_config.json"), sharded.resolve("generation_config.json"));
        ObjectNode index = JSON.createObjectNode();
        ObjectNode map = index.putObject("weight_map");
        SafetensorsWriter first = new SafetensorsWriter();
        SafetensorsWriter second = new SafetensorsWriter();
        try (SafetensorsFile whole = SafetensorsFile.open(model.resolve("model.safetensors"))) {
            for (Map.Entry<String, TensorInfo> e : whole.tensors().entrySet()) {
                boolean early = e.getKey().startsWith("model.embed") || e.getKey().startsWith("model.layers.0.");
                String shard = early ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors";
                (early ? first : second).add(e.getKey(), e.getValue().dtype(), e.getValue().shape(), copy(whole.bytes(e.getKey())));
                map.put(e.getKey(), shard);
            }
        }
        first.write(sharded.resolve("model-00001-of-00002.safetensors"));
        second.write(sharded.resolve("model-00002-of-00002.safetensors"));
        Files.writeString(sharded.resolve("model.safetensors.index.json"), index.toString());

        try (CausalLm a = CausalLm.load(model, manager); CausalLm b = CausalLm.load(sharded, manager)) {
            NDArray ids = manager.create(new long[]{1, 5, 9, 33}, new Shape(1, 4));
            NDArray valid = manager.ones(new Shape(1, 4), DataType.BOOLEAN);
            assertArrayEquals(a.logits(ids, valid, ProjectionDelta.NONE).toFloatArray(),
                    b.logits(ids, valid, ProjectionDelta.NONE).toFloatArray());
        }
    }

    @Test
    void load_isRejected_whenShardListedInIndexIsMissing() throws Exception {
        Files.writeString(model.resolve("model.safetensors.index.json"),
                "{\"weight_map\":{\"model.norm.weight\":\"model-00002-of-00002.safetensors\"}}");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> CausalLm.load(model, manager));
        assertTrue(e.getMessage().contains("model-00002-of-00002.safetensors") && e.getMessage().contains("missing"),
                e.getMessage());
    }

    /** Rewrites model.safetensors dropping one tensor and/or adding one extra. */
    private void rewriteWithout(String drop, String extra) {
        SafetensorsWriter writer = new SafetensorsWriter();
        Path file = model.resolve("model.safetensors");
        try (SafetensorsFile whole = SafetensorsFile.open(file)) {
            for (Map.Entry<String, TensorInfo> e : whole.tensors().entrySet()) {
                if (!e.getKey().equals(drop)) {
                    writer.add(e.getKey(), e.getValue().dtype(), e.getValue().shape(), copy(whole.bytes(e.getKey())));
                }
            }
        }
        if (extra != null) {
            writer.add(extra, DataType.FLOAT32, new Shape(2), ByteBuffer.allocate(8));
        }
        writer.write(file);
    }

    private static ByteBuffer copy(ByteBuffer mapped) {
        ByteBuffer copy = ByteBuffer.allocate(mapped.remaining());
        copy.put(mapped.duplicate()).flip();
        return copy;
    }
}
