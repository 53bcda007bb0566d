package dev.espalier.session.store;

import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Relays the transactional outbox to Kafka: writes channel {@code session-events-out} (topic
 * {@code espalier.session-events}), keyed by session id, in store order. A batch of outbox rows is deleted only in
 * the transaction that saw Kafka acknowledge every record of it, so a crash before the publish loses nothing (the
 * rows are relayed after the restart) and a crash between acknowledgement and delete re-sends that batch, which
 * consumers drop by event id.
 * <p>
 * One relay works at a time across all instances (a PostgreSQL advisory lock), which keeps each session's events
 * in order on its partition.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    private static final int BATCH = 200;
    /** Longer than the producer's delivery.timeout.ms, so a batch is not retried while its records may still land. */
    private static final long ACK_TIMEOUT_SECONDS = 60;
    private static final long IDLE_WAIT_MILLIS = 1000;
    private static final long RELAY_LOCK = 0x6573_7061_6c69_6572L; // "espalier"

    private final AgroalDataSource dataSource;
    private final MutinyEmitter<String> sessionEvents;
    private final Object signal = new Object();
    private boolean signalled;
    private volatile boolean running;
    private Thread worker;

    public OutboxRelay(AgroalDataSource dataSource,
                       @Channel("session-events-out") MutinyEmitter<String> sessionEvents) {
        this.dataSource = dataSource;
        this.sessionEvents = sessionEvents;
    }

    void onStart(@Observes StartupEvent event) {
        start();
    }

    void onStop(@Observes ShutdownEvent event) {
        stop();
    }

    /** Starts relaying, beginning with whatever the outbox holds from before (e.g. before a crash). */
    public synchronized void start() {
        if (worker != null) {
            return;
        }
        running = true;
        worker = Thread.ofPlatform().name("outbox-relay").daemon().start(this::run);
    }

    /** Stops relaying after the batch in flight; rows appended from now on wait in the outbox. */
    public synchronized void stop() {
        if (worker == null) {
            return;
        }
        running = false;
        wake();
        try {
            worker.join(TimeUnit.SECONDS.toMillis(ACK_TIMEOUT_SECONDS + 5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        worker = null;
    }

    /** Tells the relay new rows are waiting (it also polls every second). */
    public void wake() {
        synchronized (signal) {
            signalled = true;
            signal.notifyAll();
        }
    }

    /** How many events wait to be published. */
    public long pending() {
        try (Connection c = dataSource.getConnection();
             ResultSet rs = c.createStatement().executeQuery("select count(*) from outbox")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new EventStore.EventStoreException("cannot count the outbox", e);
        }
    }

    private void run() {
        while (running) {
            try {
                if (relayBatch() == 0) {
                    awaitSignal(IDLE_WAIT_MILLIS);
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                LOG.warnf(e, "outbox relay: publishing failed, the events stay in the outbox and are retried");
                try {
                    awaitSignal(IDLE_WAIT_MILLIS);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void awaitSignal(long millis) throws InterruptedException {
        synchronized (signal) {
            if (!signalled && running) {
                signal.wait(millis);
            }
            signalled = false;
        }
    }

    private record Pending(long globalPosition, String sessionId, String json) {
    }

    private int relayBatch() throws SQLException, InterruptedException, ExecutionException, TimeoutException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                List<Pending> batch = lockAndRead(c);
                if (batch.isEmpty()) {
                    c.rollback();
                    return 0;
                }
                publish(batch);
                delete(c, batch);
                c.commit();
                return batch.size();
            } catch (SQLException | InterruptedException | ExecutionException | TimeoutException
                     | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private List<Pending> lockAndRead(Connection c) throws SQLException {
        try (PreparedStatement lock = c.prepareStatement("select pg_try_advisory_xact_lock(?)")) {
            lock.setLong(1, RELAY_LOCK);
            try (ResultSet rs = lock.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return List.of();
                }
            }
        }
        List<Pending> batch = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("select o.global_position, e.session_id, e.payload::text "
                + "from outbox o join session_events e using (global_position) order by o.global_position limit ?")) {
            ps.setInt(1, BATCH);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    batch.add(new Pending(rs.getLong(1), rs.getString(2), rs.getString(3)));
                }
            }
        }
        return batch;
    }

    private void publish(List<Pending> batch) throws InterruptedException, ExecutionException, TimeoutException {
        CompletableFuture<?>[] acks = new CompletableFuture<?>[batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            Pending p = batch.get(i);
            Message<String> record = Message.of(p.json())
                    .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(p.sessionId()).build());
            acks[i] = sessionEvents.sendMessage(record).subscribeAsCompletionStage();
        }
        CompletableFuture.allOf(acks).get(ACK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    private static void delete(Connection c, List<Pending> batch) throws SQLException {
        Long[] positions = batch.stream().map(Pending::globalPosition).toArray(Long[]::new);
        try (PreparedStatement ps = c.prepareStatement("delete from outbox where global_position = any (?)")) {
            Array array = c.createArrayOf("bigint", positions);
            ps.setArray(1, array);
            ps.executeUpdate();
        }
    }
}
