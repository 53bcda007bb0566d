package dev.espalier.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sql.DataSource;

/**
 * A real PostgreSQL server (zonky's PG 17 binaries) run as a child process on 127.0.0.1 and a free port. With a
 * data directory the cluster survives restarts and crashes (the local stack: commits wait for the WAL flush);
 * without one it lives in a temporary directory deleted on {@link #close()} and commits do not wait for the disk
 * (tests). Connect as {@link #username()} / {@link #password()} to {@link #jdbcUrl()}.
 */
public final class EmbeddedPostgres implements AutoCloseable {

    private static final String USER = "postgres";
    private static final String DATABASE = "postgres";

    private final io.zonky.test.db.postgres.embedded.EmbeddedPostgres server;
    private final Path dataDir;
    private final boolean temporary;

    private EmbeddedPostgres(io.zonky.test.db.postgres.embedded.EmbeddedPostgres server, Path dataDir,
                             boolean temporary) {
        this.server = server;
        this.dataDir = dataDir;
        this.temporary = temporary;
    }

    /** Starts a server on a fresh cluster in a temporary directory, deleted on {@link #close()}. */
    public static EmbeddedPostgres start() {
        try {
            return start(Files.createTempDirectory("espalier-pg-"), true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory for PostgreSQL", e);
        }
    }

    /** Starts a server on the cluster in {@code dataDir}, creating it there on first use. */
    public static EmbeddedPostgres start(Path dataDir) {
        return start(dataDir, false);
    }

    private static EmbeddedPostgres start(Path dataDir, boolean temporary) {
        try {
            Files.createDirectories(dataDir);
            var builder = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setPort(LocalHost.freePort())
                    .setRegisterShutdownHook(true);
            if (!temporary) {
                // zonky turns synchronous_commit off for speed; data that must survive a crash needs it on.
                builder.setServerConfig("synchronous_commit", "on");
            }
            var server = builder.start();
            return new EmbeddedPostgres(server, dataDir, temporary);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start PostgreSQL in " + dataDir + ": " + e.getMessage(), e);
        }
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + server.getPort() + "/" + DATABASE;
    }

    public String username() {
        return USER;
    }

    /** The server trusts local connections; clients that insist on a password may send any, e.g. this one. */
    public String password() {
        return USER;
    }

    public int port() {
        return server.getPort();
    }

    public DataSource dataSource() {
        return server.getPostgresDatabase();
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stop PostgreSQL in " + dataDir, e);
        }
        if (temporary) {
            LocalHost.deleteRecursively(dataDir);
        }
    }
}
