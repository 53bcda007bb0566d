package dev.espalier.trainer.app;

import dev.espalier.hub.HubClient;
import dev.espalier.policy.model.HubModelLocator;
import dev.espalier.policy.model.ModelLocator;
import dev.espalier.trainer.journal.TrainerStore;
import dev.espalier.trainer.training.SessionTrainer;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import java.nio.file.Path;
import java.time.Clock;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/** Wires the plain-Java trainer into Quarkus. */
@ApplicationScoped
public class TrainerBeans {

    private static final Logger LOG = Logger.getLogger(TrainerBeans.class);

    /**
     * A session names its base model by a local directory or a Hugging Face id; an id is read from the HF cache
     * (HF_HOME, HF_HUB_CACHE, HF_HUB_OFFLINE as huggingface_hub has them), downloaded there first if missing.
     */
    @Produces
    @ApplicationScoped
    ModelLocator models() {
        return new HubModelLocator(HubClient.fromEnvironment(), (file, done, total) -> {
            if (done == total) {
                LOG.infof("downloaded %s (%d bytes)", file, total);
            }
        }).remembering();
    }

    @Produces
    @ApplicationScoped
    SessionTrainer trainer(AgroalDataSource db, ModelLocator models,
                           @ConfigProperty(name = "espalier.trainer.work-dir") Path workDir,
                           @ConfigProperty(name = "espalier.fault.halt-before-step-commit", defaultValue = "false")
                           boolean haltBeforeCommit,
                           @ConfigProperty(name = "espalier.fault.halt-during-replay", defaultValue = "false")
                           boolean haltDuringReplay,
                           @ConfigProperty(name = "espalier.trainer.states-kept", defaultValue = "4") int statesKept) {
        // Fault injection for the crash tests: dies like kill -9, nothing of the work in hand journaled.
        var faults = new SessionTrainer.Faults(
                haltBeforeCommit ? () -> halt("espalier.fault.halt-before-step-commit: halting before the step is "
                        + "journaled") : () -> { },
                haltDuringReplay ? () -> halt("espalier.fault.halt-during-replay: halting in the middle of a rebuild")
                        : () -> { });
        return new SessionTrainer(new TrainerStore(db), models, workDir, Clock.systemUTC(), faults, statesKept);
    }

    private static void halt(String why) {
        LOG.warn(why);
        Runtime.getRuntime().halt(137);
    }

    void close(@Disposes SessionTrainer trainer) {
        trainer.close();
    }
}
