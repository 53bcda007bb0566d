package dev.espalier.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One Espalier service as a child JVM running its packaged {@code <root>/<module>/target/quarkus-app/quarkus-run.jar},
 * as in production, configured by system properties, its output in a log file. Used by {@code ./espalier up} and by
 * the tests that run services as processes (e2e, the UI's browser tests).
 */
public final class ServiceProcess implements AutoCloseable {

    private static final int TAIL_CHARS = 6000;
    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");

    private final String module;
    private final Process process;
    private final Path log;

    private ServiceProcess(String module, Process process, Path log) {
        this.module = module;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts the service without waiting for it ({@link #awaitStarted}); its output goes to {@code log} (replaced).
     *
     * @param root the repository whose modules are run
     */
    public static ServiceProcess start(Path root, String module, List<String> jvmOptions,
                                       Map<String, String> properties, Path log) {
        return start(root, module, jvmOptions, properties, log, false);
    }

    /**
     * @param tiedToThisThread the child is killed when the thread that starts it ends, however it ends (kill -9
     *                         included): Linux's parent-death signal, set by util-linux {@code setpriv} where it is
     *                         installed. For a launcher whose main thread lives as long as it does.
     */
    public static ServiceProcess start(Path root, String module, List<String> jvmOptions,
                                       Map<String, String> properties, Path log, boolean tiedToThisThread) {
        Path jar = root.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: package " + module + " first (./mvnw -pl " + module
                    + " -am package -DskipTests)");
        }
        List<String> command = new ArrayList<>();
        if (tiedToThisThread && Files.isExecutable(SETPRIV)) {
            command.addAll(List.of(SETPRIV.toString(), "--pdeathsig", "KILL"));
        }
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(List.of("--add-modules", "jdk.incubator.vector")); // the policy's CPU decode kernels
        if (hugePagesOnRequest()) {
            command.add("-XX:+UseTransparentHugePages"); // their heap copy of the weights, streamed every step
        }
        command.addAll(jvmOptions);
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.addAll(List.of("-jar", jar.toString()));
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                    .start();
            return new ServiceProcess(module, process, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + module, e);
        }
    }

    /** A port nothing listens on right now, for a service to be started on. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port", e);
        }
    }

    /**
     * Waits until Quarkus says it started. A process that dies first, or does not start in time (it is then
     * killed), is an {@link IllegalStateException} showing the end of its log.
     */
    public ServiceProcess awaitStarted(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (output().contains(" started in ")) {
                return this;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(module + " exited with " + process.exitValue() + " while starting ("
                        + log + "):\n" + tail());
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + module, e);
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException(module + " did not start within " + timeout + " (" + log + "):\n" + tail());
    }

    public String module() {
        return module;
    }

    public Path log() {
        return log;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Everything the service wrote so far ("" when the log cannot be read). */
    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    /** The end of {@link #output()}, for error messages. */
    public String tail() {
        String out = output();
        return out.length() <= TAIL_CHARS ? out : out.substring(out.length() - TAIL_CHARS);
    }

    /** Waits for the process to end by itself (an injected fault halts it); returns its exit code. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(module + " was expected to end but still runs:\n" + tail());
        }
        return process.exitValue();
    }

    /** A graceful stop (SIGTERM): Quarkus closes its consumers and commits what was acknowledged. */
    public void stop() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Kills the process (like {@code kill -9}) and waits briefly for it to go. */
    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Whether the kernel gives transparent huge pages to a process that asks (madvise) or to all: the CPU decode
     * kernels read their weights ~20% faster from 2 MiB pages, and the JVM warns when asked where none are.
     */
    static boolean hugePagesOnRequest() {
        try {
            String modes = Files.readString(Path.of("/sys/kernel/mm/transparent_hugepage/enabled"));
            return modes.contains("[always]") || modes.contains("[madvise]");
        } catch (IOException e) {
            return false; // not Linux, or no THP
        }
    }
}
