package dev.espalier.policy.export;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.espalier.policy.lora.LoraAdapter;
import dev.espalier.policy.model.ProjectionDelta;
import dev.espalier.policy.train.ToyCausalLm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MergedModelWriterTest {

    @TempDir
    Path dir;

    static Path golden(String sub) {
        try {
            return Path.of(MergedModelWriterTest.class.getResource("/golden/grpo-toy/" + sub).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void merge_givesTheLogitsOfBasePlusAdapter_andCopiesTheOtherFiles() {
        Path out = dir.resolve("merged");
        MergedModelWriter.merge(golden("model"), golden("start"), out);
        assertTrue(Files.isRegularFile(out.resolve("config.json")));
        try (NDManager manager = NDManager.newBaseManager();
             ToyCausalLm base = new ToyCausalLm(golden("model"), manager);
             ToyCausalLm merged = new ToyCausalLm(out, manager);
             LoraAdapter adapter = LoraAdapter.load(golden("start"), golden("model"), manager)) {
            NDArray ids = manager.create(new long[] {1, 5, 9, 30, 2, 47}, new Shape(1, 6));
            NDArray valid = manager.ones(ids.getShape(), DataType.BOOLEAN);
            NDArray expected = base.logits(ids, valid, adapter);
            NDArray actual = merged.logits(ids, valid, ProjectionDelta.NONE);
            double err = actual.sub(expected).abs().max().getFloat() / expected.abs().max().getFloat();
            assertTrue(err <= 1e-5, "relative error " + err); // both float32; only (x·Aᵀ)·Bᵀ vs x·(B·A)ᵀ differ
            assertTrue(base.logits(ids, valid, ProjectionDelta.NONE).sub(expected).abs().max().getFloat() > 1e-3,
                    "the adapter changes the logits, so the comparison means something");
        }
    }

    @Test
    void merge_refusesNonEmptyOutput_andWritesNothingForAMismatchedAdapter() throws Exception {
        Path out = dir.resolve("out");
        Files.createDirectories(out);
        Files.writeString(out.resolve("keep.txt"), "mine");
        assertEquals("--out " + out + " exists and is not empty", assertThrows(IllegalArgumentException.class,
                () -> MergedModelWriter.merge(golden("model"), golden("start"), out)).getMessage());

        Path otherAdapter = dir.resolve("bad-adapter");
        Files.createDirectories(otherAdapter);
        Files.copy(golden("start/adapter_model.safetensors"), otherAdapter.resolve("adapter_model.safetensors"));
        Files.writeString(otherAdapter.resolve("adapter_config.json"),
                Files.readString(golden("start/adapter_config.json")).replace("\"r\": 4", "\"r\": 8"));
        Path fresh = dir.resolve("fresh");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MergedModelWriter.merge(golden("model"), otherAdapter, fresh));
        assertTrue(e.getMessage().contains("needs (8, 16)"), e.getMessage());
        assertFalse(Files.exists(fresh));
    }
}
