package dev.espalier.ui.browser;

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
 * One Espalier service as a child JVM running its packaged {@code target/quarkus-app/quarkus-run.jar}, as in
 * production; its output goes to {@code target/service-logs}.
 */
final class ServiceProcess implements AutoCloseable {

    private static final Path ROOT = Path.of(System.getProperty("espalier.services.root", "..")).toAbsolutePath()
            .normalize();
    private static final Path LOGS = Path.of("target", "service-logs").toAbsolutePath();
    private static final Duration START = Duration.ofSeconds(120);

    private final String module;
    private final Process process;
    private final Path log;

    private ServiceProcess(String module, Process process, Path log) {
        this.module = module;
        this.process = process;
        this.log = log;
    }

    /** Starts the module's service with these system properties and waits until Quarkus says it started. */
    static ServiceProcess start(String module, Map<String, String> properties) {
        Path jar = ROOT.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: package " + module
                    + " first (./mvnw -pl ui-vaadin -am verify)");
        }
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Xmx768m", "-Dai.djl.offline=true", "--add-modules", "jdk.incubator.vector"));
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.addAll(List.of("-jar", jar.toString()));
        try {
            Files.createDirectories(LOGS);
            Path log = Files.createTempFile(LOGS, module + "-", ".log");
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                    .start();
            ServiceProcess service = new ServiceProcess(module, process, log);
            service.awaitStarted();
            return service;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + module, e);
        }
    }

    private void awaitStarted() throws IOException {
        long deadline = System.nanoTime() + START.toNanos();
        while (System.nanoTime() < deadline) {
            String out = Files.readString(log);
            if (out.contains(" started in ")) {
                return;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(module + " exited with " + process.exitValue() + " while starting; "
                        + "see " + log);
            }
            sleep(200);
        }
        process.destroyForcibly();
        throw new IllegalStateException(module + " did not start within " + START + "; see " + log);
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
