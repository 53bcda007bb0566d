package dev.espalier.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One service as a child JVM running its packaged {@code <module>/target/quarkus-app/quarkus-run.jar}, configured by
 * system properties, its output in {@code <home>/logs/<module>.log} (rewritten at each start).
 */
final class ServiceProcess {

    private final String module;
    private final Process process;
    private final Path log;

    private ServiceProcess(String module, Process process, Path log) {
        this.module = module;
        this.process = process;
        this.log = log;
    }

    static ServiceProcess start(Path root, String module, List<String> jvmOptions, Map<String, String> properties,
                                Path logs) {
        Path jar = root.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build with ./mvnw -pl local-stack -am package -DskipTests");
        }
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(List.of("--add-modules", "jdk.incubator.vector")); // the policy's CPU decode kernels
        command.addAll(jvmOptions);
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.addAll(List.of("-jar", jar.toString()));
        try {
            Files.createDirectories(logs);
            Path log = logs.resolve(module + ".log");
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            return new ServiceProcess(module, process, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + module, e);
        }
    }

    /** Waits until Quarkus says it started; a process that dies first is an error showing the end of its log. */
    void awaitStarted(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (output().contains(" started in ")) {
                return;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(module + " exited with " + process.exitValue() + " while starting ("
                        + log + "):\n" + tail());
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(module + " did not start within " + timeout + " (" + log + "):\n" + tail());
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String module() {
        return module;
    }

    Path log() {
        return log;
    }

    /** A graceful stop (SIGTERM): Quarkus closes its consumers and commits what was acknowledged. */
    void stop() {
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

    String tail() {
        String out = output();
        return out.length() <= 4000 ? out : out.substring(out.length() - 4000);
    }

    private String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }
}
