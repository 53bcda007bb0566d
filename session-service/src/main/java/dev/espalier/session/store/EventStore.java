package dev.espalier.session.store;

import dev.espalier.events.EventSerde;
import dev.espalier.events.SessionEvent;
import dev.espalier.session.domain.SessionRejection;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.postgresql.util.PSQLException;

/**
 * The append-only PostgreSQL event store. An append writes the events and their outbox rows in one transaction,
 * after checking the session is still at the version the caller decided against; the unique (session, position)
 * key catches the writers that raced past the check. Appends are idempotent by event id.
 */
@ApplicationScoped
public class EventStore {

    private static final String UNIQUE_VIOLATION = "23505";

    private final AgroalDataSource dataSource;

    public EventStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** A session's events in order; empty when there is no such session. */
    public List<StoredEvent> load(UUID sessionId) {
        return query("select global_position, session_position, recorded_at, payload::text from session_events "
                + "where session_id = ? order by session_position", ps -> ps.setObject(1, sessionId));
    }

    /** A session's events after {@code afterPosition}, in order. */
    public List<StoredEvent> loadAfter(UUID sessionId, long afterPosition) {
        return query("select global_position, session_position, recorded_at, payload::text from session_events "
                + "where session_id = ? and session_position > ? order by session_position", ps -> {
            ps.setObject(1, sessionId);
            ps.setLong(2, afterPosition);
        });
    }

    /** Up to {@code limit} events of all sessions after {@code afterGlobalPosition}, in global order. */
    public List<StoredEvent> readAll(long afterGlobalPosition, int limit) {
        return query("select global_position, session_position, recorded_at, payload::text from session_events "
                + "where global_position > ? order by global_position limit ?", ps -> {
            ps.setLong(1, afterGlobalPosition);
            ps.setLong(2, limit);
        });
    }

    public boolean contains(UUID eventId) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("select 1 from session_events where event_id = ?")) {
            ps.setObject(1, eventId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw new EventStoreException("cannot look up event " + eventId, e);
        }
    }

    /**
     * Appends {@code events} to the session at positions {@code expectedVersion + 1, + 2, …}.
     *
     * @throws SessionRejection.VersionConflict the session is no longer at {@code expectedVersion}
     * @throws DuplicateEventException          one of the events is already stored; nothing was appended
     */
    public List<StoredEvent> append(UUID sessionId, long expectedVersion, List<SessionEvent> events) {
        if (events.isEmpty()) {
            return List.of();
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                long current = currentVersion(c, sessionId);
                if (current != expectedVersion) {
                    throw versionConflict(sessionId, expectedVersion, current);
                }
                List<StoredEvent> stored = insert(c, sessionId, expectedVersion, events);
                c.commit();
                return stored;
            } catch (SQLException e) {
                c.rollback();
                throw translate(e, sessionId, expectedVersion);
            } catch (RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new EventStoreException("cannot append to session " + sessionId, e);
        }
    }

    private static long currentVersion(Connection c, UUID sessionId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "select coalesce(max(session_position), 0) from session_events where session_id = ?")) {
            ps.setObject(1, sessionId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static List<StoredEvent> insert(Connection c, UUID sessionId, long expectedVersion,
                                            List<SessionEvent> events) throws SQLException {
        List<StoredEvent> stored = new ArrayList<>(events.size());
        try (PreparedStatement event = c.prepareStatement(
                "insert into session_events (session_id, session_position, event_id, event_type, schema_version, "
                        + "payload, occurred_at) values (?, ?, ?, ?, ?, ?::jsonb, ?) "
                        + "returning global_position, recorded_at");
             PreparedStatement outbox = c.prepareStatement("insert into outbox (global_position) values (?)")) {
            long position = expectedVersion;
            for (SessionEvent e : events) {
                if (!e.sessionId().equals(sessionId)) {
                    throw new IllegalArgumentException("event " + e.eventId() + " belongs to session "
                            + e.sessionId() + ", not " + sessionId);
                }
                position++;
                event.setObject(1, sessionId);
                event.setLong(2, position);
                event.setObject(3, e.eventId());
                event.setString(4, EventSerde.storedNameOf(e));
                event.setInt(5, e.schemaVersion());
                event.setString(6, EventSerde.toJson(e));
                event.setTimestamp(7, Timestamp.from(e.occurredAt()));
                try (ResultSet rs = event.executeQuery()) {
                    rs.next();
                    long global = rs.getLong(1);
                    stored.add(new StoredEvent(global, position, rs.getTimestamp(2).toInstant(), e));
                    outbox.setLong(1, global);
                    outbox.executeUpdate();
                }
            }
        }
        return stored;
    }

    private static RuntimeException translate(SQLException e, UUID sessionId, long expectedVersion) {
        if (UNIQUE_VIOLATION.equals(e.getSQLState()) && e instanceof PSQLException p
                && p.getServerErrorMessage() != null) {
            String constraint = p.getServerErrorMessage().getConstraint();
            if ("session_events_stream_position".equals(constraint)) {
                return versionConflict(sessionId, expectedVersion, expectedVersion + 1);
            }
            if ("session_events_event_id".equals(constraint)) {
                return new DuplicateEventException(p.getServerErrorMessage().getDetail());
            }
        }
        return new EventStoreException("cannot append to session " + sessionId, e);
    }

    private static SessionRejection.VersionConflict versionConflict(UUID sessionId, long expected, long actual) {
        return new SessionRejection.VersionConflict("session " + sessionId + " is at version " + actual
                + " or later, the command was decided at version " + expected);
    }

    private List<StoredEvent> query(String sql, SqlBinder binder) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            List<StoredEvent> events = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    events.add(read(rs));
                }
            }
            return events;
        } catch (SQLException e) {
            throw new EventStoreException("cannot read events", e);
        }
    }

    /** An event of a session, by its position in the session. */
    public record Position(UUID sessionId, long position) {
    }

    /**
     * The sessions whose latest event of one of {@code eventNames} (stored names without the version) was stored
     * between {@code since} and {@code before}: sessions that may have waited since then for what it asked of another
     * service (answers the fold ignores may have come after it; the caller checks the session's phase).
     */
    public List<Position> latestOfBetween(List<String> eventNames, Instant since, Instant before) {
        String sql = """
                select session_id, max(session_position) from session_events
                where split_part(event_type, '.', 1) = any(?) and recorded_at >= ?
                group by session_id having max(recorded_at) < ?""";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setArray(1, c.createArrayOf("text", eventNames.toArray()));
            ps.setTimestamp(2, Timestamp.from(since));
            ps.setTimestamp(3, Timestamp.from(before));
            List<Position> waiting = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    waiting.add(new Position(rs.getObject(1, UUID.class), rs.getLong(2)));
                }
            }
            return waiting;
        } catch (SQLException e) {
            throw new EventStoreException("cannot find the sessions waiting since " + before, e);
        }
    }

    /** Streams every event of a session, in order, without holding them all in memory (the audit log). */
    public void forEach(UUID sessionId, Consumer<StoredEvent> consumer) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false); // a cursor (fetch size) needs a transaction
            try (PreparedStatement ps = c.prepareStatement("select global_position, session_position, recorded_at, "
                    + "payload::text from session_events where session_id = ? order by session_position")) {
                ps.setFetchSize(256);
                ps.setObject(1, sessionId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        consumer.accept(read(rs));
                    }
                }
            } finally {
                c.rollback();
            }
        } catch (SQLException e) {
            throw new EventStoreException("cannot read the events of session " + sessionId, e);
        }
    }

    static StoredEvent read(ResultSet rs) throws SQLException {
        return new StoredEvent(rs.getLong(1), rs.getLong(2), rs.getTimestamp(3).toInstant(),
                EventSerde.fromJson(rs.getString(4)));
    }

    @FunctionalInterface
    private interface SqlBinder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    /** An event with this id is already stored. */
    public static final class DuplicateEventException extends RuntimeException {
        public DuplicateEventException(String message) {
            super(message);
        }
    }

    public static final class EventStoreException extends RuntimeException {
        public EventStoreException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
