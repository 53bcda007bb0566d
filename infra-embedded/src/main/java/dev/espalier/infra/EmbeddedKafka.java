package dev.espalier.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;

/**
 * A Kafka broker in this JVM: one KRaft node that is both broker and controller, listening on 127.0.0.1 on a free
 * port. With a data directory it keeps its topics across restarts (the local stack); without one it works in a
 * temporary directory that {@link #close()} deletes (tests).
 * <p>
 * Settings follow DESIGN.md §7: replication factors and min ISR 1 for the internal topics, no initial rebalance
 * delay, and a 2 MiB log-cleaner buffer instead of the default 128 MiB.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final String HOST = LocalHost.ADDRESS;
    private static final int NODE_ID = 1;

    private final KafkaRaftServer server;
    private final Path dataDir;
    private final boolean temporary;
    private final int port;

    private EmbeddedKafka(KafkaRaftServer server, Path dataDir, boolean temporary, int port) {
        this.server = server;
        this.dataDir = dataDir;
        this.temporary = temporary;
        this.port = port;
    }

    /** Starts a broker whose data lives in a temporary directory, deleted on {@link #close()}. */
    public static EmbeddedKafka start() {
        try {
            return start(Files.createTempDirectory("espalier-kafka-"), true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory for Kafka", e);
        }
    }

    /** Starts a broker that keeps its data in {@code dataDir} (created if missing) across restarts. */
    public static EmbeddedKafka start(Path dataDir) {
        return start(dataDir, false);
    }

    private static EmbeddedKafka start(Path dataDir, boolean temporary) {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create Kafka data directory " + dataDir, e);
        }
        int port = LocalHost.freePort();
        int controllerPort = LocalHost.freePort();
        KafkaConfig config = KafkaConfig.fromProps(brokerProperties(dataDir, port, controllerPort), false);
        format(config, dataDir);
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        return new EmbeddedKafka(server, dataDir, temporary, port);
    }

    /** The {@code bootstrap.servers} value for clients. */
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
        if (temporary) {
            LocalHost.deleteRecursively(dataDir);
        }
    }

    private static Properties brokerProperties(Path dataDir, int port, int controllerPort) {
        Properties p = new Properties();
        p.put("node.id", String.valueOf(NODE_ID));
        p.put("process.roles", "broker,controller");
        p.put("controller.listener.names", "CONTROLLER");
        p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        p.put("listeners", "PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + port);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", dataDir.toAbsolutePath().toString());
        p.put("num.partitions", "4");
        p.put("default.replication.factor", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("min.insync.replicas", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("log.cleaner.dedupe.buffer.size", "2097152");
        p.put("controlled.shutdown.enable", "false");
        p.put("auto.create.topics.enable", "true");
        return p;
    }

    /** KRaft needs formatted storage; an already formatted directory (a restart) is left as it is. */
    private static void format(KafkaConfig config, Path dataDir) {
        if (Files.exists(dataDir.resolve("meta.properties"))) {
            return;
        }
        Formatter formatter = new Formatter()
                .setClusterId(Uuid.randomUuid().toString())
                .setNodeId(NODE_ID)
                .setIgnoreFormatted(true)
                .setControllerListenerName("CONTROLLER")
                .setMetadataLogDirectory(config.metadataLogDir());
        formatter.addDirectory(dataDir.toAbsolutePath().toString());
        try {
            formatter.run();
        } catch (Exception e) {
            throw new IllegalStateException("cannot format Kafka storage in " + dataDir + ": " + e.getMessage(), e);
        }
    }
}
