package dev.espalier.trainer.training;

import dev.espalier.events.Actor;
import dev.espalier.events.SessionConfig;
import dev.espalier.events.SessionEvent.ChoiceMade;
import dev.espalier.events.SessionEvent.HeadMoved;
import dev.espalier.events.SessionEvent.RolloutsReady;
import dev.espalier.events.SessionEvent.SessionCreated;
import dev.espalier.infra.EmbeddedPostgres;
import dev.espalier.policy.cli.AdapterInput;
import dev.espalier.policy.cli.EspalierCli;
import dev.espalier.policy.model.ModelLocator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import org.flywaydb.core.Flyway;

/** One embedded PostgreSQL with the trainer's schema and one tiny random model for the whole test JVM. */
final class TrainerFixture {

    static final EmbeddedPostgres POSTGRES = EmbeddedPostgres.start();
    static final Path MODEL = tinyModel();

    static {
        Flyway.configure().dataSource(POSTGRES.dataSource()).schemas("trainer").locations("classpath:db/trainer")
                .load().migrate();
        Runtime.getRuntime().addShutdownHook(new Thread(POSTGRES::close));
    }

    private TrainerFixture() {
    }

    private static Path tinyModel() {
        try {
            Path dir = Files.createTempDirectory("espalier-trainer-model-").resolve("model");
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int status = new EspalierCli(ModelLocator.LOCAL_DIRECTORY, AdapterInput.BASE_MODEL)
                    .run(new String[] {"init-model", "--arch", "llama", "--vocab", "64", "--hidden", "32",
                            "--layers", "2", "--heads", "4", "--kv-heads", "2", "--intermediate", "64",
                            "--max-positions", "64", "--seed", "5", "--out", dir.toString()},
                            new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
            if (status != 0) {
                throw new IllegalStateException("init-model failed: " + err.toString(StandardCharsets.UTF_8));
            }
            return dir;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A session played by hand: events as the session-service would relay them. */
    static final class Session {
        final UUID id = UUID.randomUUID();
        final SessionCreated created;
        private final SplittableRandom random = new SplittableRandom(11);

        Session(int checkpointEvery) {
            this(checkpointEvery, MODEL.toString());
        }

        Session(int checkpointEvery, String model) {
            SessionConfig config = new SessionConfig(model,
                    new SessionConfig.PromptSourceSpec(SessionConfig.PromptSourceSpec.Kind.TYPED, null, null, null,
                            List.of("a prompt"), 1),
                    new SessionConfig.PromptFormat(SessionConfig.PromptFormat.Mode.RAW, null, "", ""), 4,
                    new SessionConfig.Sampling(1.0, 0, 1, 8, 7),
                    new SessionConfig.Lora(4, 8, SessionConfig.Lora.DEFAULT_TARGETS),
                    SessionConfig.Objective.GRPO, 1e-2, 0.03, 0, 1.0, 0.1, checkpointEvery, null);
            created = new SessionCreated(UUID.randomUUID(), id, Instant.now(), null, config, UUID.randomUUID(),
                    Actor.LOCAL);
        }

        /** Random rollouts for a prompt played with {@code policyVersion}. */
        RolloutsReady rollouts(long policyVersion) {
            List<RolloutsReady.Rollout> rollouts = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                List<Integer> ids = random.ints(1 + random.nextInt(5), 3, 64).boxed().toList();
                rollouts.add(new RolloutsReady.Rollout(i, "", ids, ids.stream().map(x -> -1.0).toList(), "length"));
            }
            return new RolloutsReady(UUID.randomUUID(), id, Instant.now(), null, UUID.randomUUID(), policyVersion,
                    random.ints(3, 3, 64).boxed().toList(), rollouts, null, new RolloutsReady.Timings(0, 0, 0));
        }

        ChoiceMade choice(RolloutsReady rollouts, Integer index) {
            return new ChoiceMade(UUID.randomUUID(), id, Instant.now(), null, rollouts.eventId(), UUID.randomUUID(),
                    index, rollouts.policyVersion(), null, Actor.LOCAL);
        }

        HeadMoved move(UUID from, UUID to, HeadMoved.Reason reason) {
            return new HeadMoved(UUID.randomUUID(), id, Instant.now(), null, from, to, reason, Actor.LOCAL);
        }
    }
}
