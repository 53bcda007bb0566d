package dev.espalier.trainer.training;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import dev.espalier.events.SessionConfig;
import dev.espalier.policy.lora.LoraConfig;
import dev.espalier.policy.model.SharedModels;
import dev.espalier.policy.state.TrainingState;
import dev.espalier.trainer.journal.StoredAdapter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayCheckTest {

    @TempDir
    Path work;

    private TrainingState live;
    private TrainingState replayed;
    private StoredAdapter stored;

    @BeforeEach
    void adapters() {
        LoraConfig lora = new LoraConfig(4, 8, SessionConfig.Lora.DEFAULT_TARGETS, TrainerFixture.MODEL.toString());
        live = TrainingState.fresh(TrainerFixture.MODEL, lora, 3, SharedModels.manager());
        replayed = TrainingState.fresh(TrainerFixture.MODEL, lora, 3, SharedModels.manager());
        stored = new StoredAdapter(7, live.adapter().sha256(), StateArchive.zip(live.adapter().files()));
    }

    @AfterEach
    void close() {
        live.close();
        replayed.close();
    }

    /** Scales the first parameter of the replayed adapter by 1 + {@code relative}. */
    private void drift(double relative) {
        List<NDArray> next = new ArrayList<>();
        for (NDArray p : replayed.adapter().parameters()) {
            next.add(next.isEmpty() ? p.mul((float) (1 + relative)) : p.duplicate());
        }
        replayed.adapter().replaceParameters(next);
    }

    private void verify(ReplayCheck check) {
        check.verify("version 7", replayed.adapter(), stored, TrainerFixture.MODEL, work);
    }

    @Test
    void theSameBits_passEverywhere() {
        assertDoesNotThrow(() -> verify(ReplayCheck.exact()));
        assertDoesNotThrow(() -> verify(ReplayCheck.within(1e-4)));
    }

    @Test
    void onTheCpu_anyOtherBit_isRefused_namingBothAdapters() {
        drift(1e-6);

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> verify(ReplayCheck.exact()));
        assertTrue(e.getMessage().contains("version 7") && e.getMessage().contains(stored.sha256())
                && e.getMessage().contains(replayed.adapter().sha256()), e.getMessage());
        assertThrows(IllegalStateException.class, () -> verify(ReplayCheck.forDevice(Device.cpu())));
    }

    @Test
    void onAGpu_summationNoise_isAccepted_butARealDifferenceIsNot() {
        drift(1e-6);
        assertDoesNotThrow(() -> verify(ReplayCheck.forDevice(Device.gpu())));

        drift(1e-2);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> verify(ReplayCheck.forDevice(Device.gpu())));
        assertTrue(e.getMessage().contains("(relative) away") && e.getMessage().contains("version 7"), e.getMessage());
    }
}
