package dev.espalier.trainer.journal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.espalier.events.EventSerde;
import dev.espalier.events.SessionEvent.ChoiceMade;
import dev.espalier.events.SessionEvent.RolloutsReady;
import dev.espalier.events.SessionEvent.SessionCreated;
import dev.espalier.events.SessionEvent.StepApplied;
import dev.espalier.policy.train.StepCase;
import dev.espalier.policy.train.StepSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The trainer's tables in PostgreSQL (schema {@code trainer}, migrations in {@code db/trainer}). Everything a
 * step produced lands in one transaction ({@link #record}), so after a crash a step is either fully journaled or not
 * at all; the inputs received from Kafka are stored idempotently by event id.
 */
public final class TrainerStore {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final DataSource db;

    public TrainerStore(DataSource db) {
        this.db = db;
    }

    public void saveSession(SessionCreated created) {
        update("INSERT INTO trainer.sessions (session_id, created) VALUES (?, ?) ON CONFLICT DO NOTHING",
                created.sessionId(), EventSerde.toJson(created));
    }

    public Optional<SessionCreated> session(UUID sessionId) {
        return queryText("SELECT created FROM trainer.sessions WHERE session_id = ?", sessionId)
                .map(json -> (SessionCreated) EventSerde.fromJson(json));
    }

    public void saveRollouts(RolloutsReady ready) {
        update("INSERT INTO trainer.rollouts (rollouts_ready_id, session_id, event) VALUES (?, ?, ?) "
                + "ON CONFLICT DO NOTHING", ready.eventId(), ready.sessionId(), EventSerde.toJson(ready));
    }

    public Optional<RolloutsReady> rollouts(UUID rolloutsReadyId) {
        return queryText("SELECT event FROM trainer.rollouts WHERE rollouts_ready_id = ?", rolloutsReadyId)
                .map(json -> (RolloutsReady) EventSerde.fromJson(json));
    }

    /** Counts a start of the step for {@code choice}, durably, and returns the count including this one. */
    public int beginStep(ChoiceMade choice) {
        try (Connection c = db.getConnection();
             PreparedStatement s = c.prepareStatement("""
                     INSERT INTO trainer.step_attempts (choice_made_id, session_id, choice, starts) VALUES (?, ?, ?, 1)
                     ON CONFLICT (choice_made_id) DO UPDATE SET starts = trainer.step_attempts.starts + 1
                     RETURNING starts""")) {
            s.setObject(1, choice.eventId());
            s.setObject(2, choice.sessionId());
            s.setString(3, EventSerde.toJson(choice));
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        } catch (SQLException e) {
            throw failed("counting a start of the step for choice " + choice.eventId(), e);
        }
    }

    /** The choice of a step that was started and not journaled (failed, or interrupted), if there is one. */
    public Optional<ChoiceMade> startedChoice(UUID choiceMadeId) {
        return queryText("SELECT choice FROM trainer.step_attempts WHERE choice_made_id = ?", choiceMadeId)
                .map(json -> (ChoiceMade) EventSerde.fromJson(json));
    }

    /** The person asked for the step again: it counts its starts from nothing. */
    public void clearStarts(UUID choiceMadeId) {
        update("UPDATE trainer.step_attempts SET starts = 0 WHERE choice_made_id = ?", choiceMadeId);
    }

        /** The StepApplied already produced for a choice, if the step was applied before. */
    public Optional<StepApplied> stepAppliedFor(UUID choiceMadeId) {
        return queryText("SELECT step_applied FROM trainer.steps WHERE choice_made_id = ?", choiceMadeId)
                .map(json -> (StepApplied) EventSerde.fromJson(json));
    }

    /** The highest policy version of the session (0, the root, when no step was applied yet). */
    public long latestVersion(UUID sessionId) {
        try (Connection c = db.getConnection();
             PreparedStatement s = c.prepareStatement(
                     "SELECT coalesce(max(policy_version), 0) FROM trainer.steps WHERE session_id = ?")) {
            s.setObject(1, sessionId);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw failed("reading the latest version of session " + sessionId, e);
        }
    }

    /** The policy version a node holds, if a step was applied there. */
    public OptionalLong versionOf(UUID sessionId, UUID nodeId) {
        try (Connection c = db.getConnection();
             PreparedStatement s = c.prepareStatement(
                     "SELECT policy_version FROM trainer.steps WHERE session_id = ? AND node_id = ?")) {
            s.setObject(1, sessionId);
            s.setObject(2, nodeId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
            }
        } catch (SQLException e) {
            throw failed("reading node " + nodeId, e);
        }
    }

    /** The step that produced {@code policyVersion} (never version 0, which no step produces). */
    public Optional<JournaledStep> stepProducing(UUID sessionId, long policyVersion) {
        try (Connection c = db.getConnection();
             PreparedStatement s = c.prepareStatement("""
                     SELECT s.choice_made_id, s.node_id, s.parent_version, s.step_case, s.settings,
                            p.checkpoint IS NOT NULL
                     FROM trainer.steps s JOIN trainer.policies p
                       ON p.session_id = s.session_id AND p.policy_version = s.policy_version
                     WHERE s.session_id = ? AND s.policy_version = ?""")) {
            s.setObject(1, sessionId);
            s.setLong(2, policyVersion);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new JournaledStep(rs.getObject(1, UUID.class), sessionId,
                        rs.getObject(2, UUID.class), policyVersion, rs.getLong(3), StepCase.parse(rs.getString(4)),
                        JSON.readValue(rs.getString(5), StepSettings.class), rs.getBoolean(6)));
            }
        } catch (SQLException | JsonProcessingException e) {
            throw failed("reading the step of version " + policyVersion + " of session " + sessionId, e);
        }
    }

    public Optional<StoredAdapter> adapter(UUID sessionId, long policyVersion) {
        try (Connection c = db.getConnection();
             PreparedStatement s = c.prepareStatement(
                     "SELECT sha256, adapter FROM trainer.policies WHERE session_id = ? AND policy_version = ?")) {
            s.setObject(1, sessionId);
            s.setLong(2, policyVersion);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(new StoredAdapter(policyVersion, rs.getString(1), rs.getBytes(2)))
                        : Optional.empty();
            }
        } catch (SQLException e) {
            throw failed("reading adapter " + policyVersion + " of session " + sessionId, e);
        }
    }

    public byte[] checkpoint(UUID sessionId, long policyVersion) {
        try (Connection c = db.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT checkpoint FROM trainer.policies "
                     + "WHERE session_id = ? AND policy_version = ? AND checkpoint IS NOT NULL")) {
            s.setObject(1, sessionId);
            s.setLong(2, policyVersion);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("no full checkpoint of version " + policyVersion
                            + " of session " + sessionId);
                }
                return rs.getBytes(1);
            }
        } catch (SQLException e) {
            throw failed("reading checkpoint " + policyVersion + " of session " + sessionId, e);
        }
    }

    /**
     * Journals a step with what it produced, in one transaction.
     *
     * @param checkpoint the full checkpoint zip, or null when this version gets none
     */
    public void record(JournaledStep step, StepApplied applied, byte[] adapterZip, byte[] checkpoint) {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement("INSERT INTO trainer.steps (choice_made_id, session_id, "
                    + "node_id, policy_version, parent_version, step_case, settings, step_applied) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
                 PreparedStatement p = c.prepareStatement("INSERT INTO trainer.policies (session_id, "
                         + "policy_version, sha256, adapter, checkpoint) VALUES (?, ?, ?, ?, ?)")) {
                s.setObject(1, step.choiceMadeId());
                s.setObject(2, step.sessionId());
                s.setObject(3, step.nodeId());
                s.setLong(4, step.policyVersion());
                s.setLong(5, step.parentVersion());
                s.setString(6, step.stepCase().toJson());
                s.setString(7, JSON.writeValueAsString(step.settings()));
                s.setString(8, EventSerde.toJson(applied));
                s.executeUpdate();
                p.setObject(1, step.sessionId());
                p.setLong(2, step.policyVersion());
                p.setString(3, applied.adapter().sha256());
                p.setBytes(4, adapterZip);
                p.setBytes(5, checkpoint);
                p.executeUpdate();
                try (PreparedStatement d = c.prepareStatement(
                        "DELETE FROM trainer.step_attempts WHERE choice_made_id = ?")) {
                    d.setObject(1, step.choiceMadeId());
                    d.executeUpdate();
                }
                c.commit();
            } catch (SQLException | JsonProcessingException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException | JsonProcessingException e) {
            throw failed("journaling the step for choice " + step.choiceMadeId(), e);
        }
    }

    private void update(String sql, Object... args) {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                s.setObject(i + 1, args[i]);
            }
            s.executeUpdate();
        } catch (SQLException e) {
            throw failed(sql, e);
        }
    }

    private Optional<String> queryText(String sql, UUID id) {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setObject(1, id);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failed(sql, e);
        }
    }

    private static IllegalStateException failed(String what, Exception e) {
        return new IllegalStateException("trainer store: " + what + " failed: " + e.getMessage(), e);
    }
}
