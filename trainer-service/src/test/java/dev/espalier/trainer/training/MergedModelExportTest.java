package dev.espalier.trainer.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.espalier.events.SessionEvent.RolloutsReady;
import dev.espalier.policy.model.ModelLocator;
import dev.espalier.policy.safetensors.SafetensorsFile;
import dev.espalier.trainer.export.MergedModelExport;
import dev.espalier.trainer.journal.TrainerStore;
import dev.espalier.trainer.training.TrainerFixture.Session;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.NoSuchElementException;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The merged-model download on a real PostgreSQL and the tiny real model. */
class MergedModelExportTest {

    private static final String WEIGHT = "model.layers.0.self_attn.q_proj.weight";
    private static final String LORA = "base_model.model.model.layers.0.self_attn.q_proj.lora_";

    @TempDir
    Path work;

    private final TrainerStore store = new TrainerStore(TrainerFixture.POSTGRES.dataSource());

    @Test
    void merged_holdsTheBasePlusScaledBTimesA_ofThatVersionsAdapter_andTheModelFiles() throws Exception {
        Session session = new Session(5);
        try (SessionTrainer trainer =
                     new SessionTrainer(store, ModelLocator.LOCAL_DIRECTORY, work.resolve("trainer"), Clock.systemUTC(), SessionTrainer.Faults.NONE, 0)) {
            trainer.sessionCreated(session.created);
            RolloutsReady rollouts = session.rollouts(0);
            trainer.rolloutsReady(rollouts);
            trainer.choiceMade(session.choice(rollouts, 1));
        }
        MergedModelExport export = new MergedModelExport(store, ModelLocator.LOCAL_DIRECTORY, work.resolve("export"));

        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        export.prepare(session.id, 1).writeZip(zip);

        Path merged = StateArchive.unzip(zip.toByteArray(), work.resolve("merged"));
        Path adapter = StateArchive.unzip(store.adapter(session.id, 1).orElseThrow().zip(), work.resolve("adapter"));
        assertTrue(Files.isRegularFile(merged.resolve("config.json")));
        assertTrue(Files.isRegularFile(merged.resolve("generation_config.json")));
        try (Stream<Path> left = Files.list(work.resolve("export"))) {
            assertEquals(0, left.count(), "the scratch merge is deleted once zipped");
        }
        try (NDManager manager = NDManager.newBaseManager();
             SafetensorsFile base = SafetensorsFile.open(TrainerFixture.MODEL.resolve("model.safetensors"));
             SafetensorsFile lora = SafetensorsFile.open(adapter.resolve("adapter_model.safetensors"));
             SafetensorsFile out = SafetensorsFile.open(merged.resolve("model.safetensors"))) {
            NDArray a = lora.loadFloat32(LORA + "A.weight", manager);
            NDArray b = lora.loadFloat32(LORA + "B.weight", manager);
            double scale = 8.0 / 4; // the fixture session's LoRA alpha / r
            NDArray expected = base.loadFloat32(WEIGHT, manager).add(b.matMul(a).mul(scale));
            NDArray actual = out.loadFloat32(WEIGHT, manager);
            // Same float32 sum up to the order of the matmul's accumulation.
            assertArrayEquals(expected.toFloatArray(), actual.toFloatArray(), 1e-6f);
            assertFalse(b.abs().sum().getFloat() == 0f, "one step moved B, so the merge is not the base");
        }
    }

    @Test
    void merged_ofAnUnknownVersion_failsNamingIt_beforeWritingAnything() {
        Session session = new Session(5);
        store.saveSession(session.created);
        MergedModelExport export = new MergedModelExport(store, ModelLocator.LOCAL_DIRECTORY, work.resolve("export"));
        var e = assertThrows(NoSuchElementException.class, () -> export.prepare(session.id, 7));
        assertTrue(e.getMessage().contains("policy version 7"), e.getMessage());
        assertThrows(NoSuchElementException.class, () -> export.prepare(UUID.randomUUID(), 1));
        assertFalse(Files.exists(work.resolve("export")));
    }
}
