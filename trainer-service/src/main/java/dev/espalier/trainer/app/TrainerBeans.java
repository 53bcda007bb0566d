package dev.espalier.trainer.app;

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

    @Produces
    @ApplicationScoped
    SessionTrainer trainer(AgroalDataSource db,
                           @ConfigProperty(name = "espalier.trainer.work-dir") Path workDir,
                           @ConfigProperty(name = "espalier.fault.halt-before-step-commit", defaultValue = "false")
                           boolean haltBeforeCommit) {
        Runnable beforeCommit = haltBeforeCommit ? () -> {
            // Fault injection for the crash tests: dies like kill -9, mid-step, nothing journaled.
            LOG.warn("espalier.fault.halt-before-step-commit: halting before the step is journaled");
            Runtime.getRuntime().halt(137);
        } : () -> { };
        return new SessionTrainer(new TrainerStore(db), workDir, Clock.systemUTC(), beforeCommit);
    }

    void close(@Disposes SessionTrainer trainer) {
        trainer.close();
    }
}
