package dev.espalier.stack.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The services of the rendered compose file run on this machine as Docker would run their containers, without
 * Docker: each image's runtime stage read from its Dockerfile (ENV, WORKDIR, COPY, CMD), the compose service's
 * entrypoint, command and environment on top, its volumes as folders shared between the containers that mount them,
 * and every {@code service:port} address pointed at where that service listens here. The processes run with only
 * the container's environment and find their programs on its PATH; {@code /bin/sh} is this machine's, dash, as on
 * the Ubuntu-based images.
 */
final class Containers implements AutoCloseable {

    /** Where a container runs: its process, the files of its image, its environment, its health check. */
    record Container(String service, Process process, Path log, Map<String, String> env, ImageFiles files,
                     Map<String, Object> healthcheck, Path bin) {

        /** One run of the compose health check, as Docker runs it inside the container. */
        Health health() {
            List<String> test = Compose.strings(healthcheck.get("test"));
            List<String> argv = switch (test.getFirst()) {
                case "CMD" -> test.subList(1, test.size());
                case "CMD-SHELL" -> List.of("/bin/sh", "-c", test.get(1));
                default -> throw new AssertionError(service + ": health check " + test + " is neither CMD nor CMD-SHELL");
            };
            Duration timeout = Compose.duration(healthcheck.getOrDefault("timeout", "30s"));
            return Health.of(exec(argv, timeout));
        }

        /** Runs the health check until it passes, as Docker does until it marks the container healthy. */
        Health awaitHealthy(Duration limit) throws InterruptedException {
            long deadline = System.nanoTime() + limit.toNanos();
            Health last;
            do {
                if (!process.isAlive()) {
                    throw new AssertionError(service + " exited with " + process.exitValue() + ":\n" + tail());
                }
                last = health();
                if (last.passed()) {
                    return last;
                }
                Thread.sleep(1000);
            } while (System.nanoTime() < deadline);
            throw new AssertionError(service + " not healthy after " + limit + ": " + last + "\n" + tail());
        }

        /** The container's main process stopped, as by `docker stop` (SIGTERM), waiting for it to end. */
        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }

        String output() {
            try {
                return Files.readString(log);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String tail() {
            String out = output();
            return out.substring(Math.max(0, out.length() - 6000));
        }

        private ProcessResult exec(List<String> argv, Duration timeout) {
            return ProcessResult.run(Containers.command(argv, files, bin), env, null, timeout);
        }
    }

    record Health(int exitCode, String output) {
        static Health of(ProcessResult r) {
            return new Health(r.exitCode(), r.output());
        }

        boolean passed() {
            return exitCode == 0;
        }
    }

    private final Map<String, Map<String, Object>> services;
    private final Path scratch;
    private final Map<String, String> addresses = new HashMap<>();
    private final List<Container> running = new ArrayList<>();

    Containers(Map<String, Object> compose, Path scratch) {
        this.services = Compose.map(compose.get("services"));
        this.scratch = scratch;
    }

    /** Makes {@code service:port} inside the containers mean {@code hostAddress} here (a broker, a database). */
    void publish(String service, int port, String hostAddress) {
        addresses.put(service + ":" + port, hostAddress);
    }

    /**
     * Starts {@code service} from {@code target} of its Dockerfile (null: the compose file's target), with
     * {@code extraEnv} as `docker compose run -e` would add it.
     */
    Container start(String service, String target, Map<String, String> extraEnv) {
        Launch launch = launch(service, target, extraEnv);
        Path log = scratch.resolve("logs").resolve(service + ".log");
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder pb = new ProcessBuilder(launch.argv).directory(launch.workdir.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().clear();
            pb.environment().putAll(launch.env);
            Container c = new Container(service, pb.start(), log, launch.env, launch.files,
                    Compose.map(services.get(service).getOrDefault("healthcheck", Map.of())), launch.bin);
            running.add(c);
            return c;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + service + ": " + launch.argv, e);
        }
    }

    /** Runs a one-shot service to its end, as `docker compose up` runs it before what depends on it. */
    ProcessResult run(String service, String target, Map<String, String> extraEnv, Duration timeout) {
        Launch launch = launch(service, target, extraEnv);
        return ProcessResult.run(launch.argv, launch.env, launch.workdir, timeout);
    }

    /** Where {@code service}'s container port is reached from this machine. */
    String address(String service, int port) {
        return addresses.computeIfAbsent(service + ":" + port,
                k -> "127.0.0.1:" + dev.espalier.infra.ServiceProcess.freePort());
    }

    private record Launch(List<String> argv, Map<String, String> env, Path workdir, ImageFiles files, Path bin) {
    }

    private Launch launch(String service, String target, Map<String, String> extraEnv) {
        Map<String, Object> compose = services.get(service);
        Map<String, Object> build = Compose.map(compose.get("build"));
        Dockerfile dockerfile = Dockerfile.read(String.valueOf(build.get("dockerfile")));
        Dockerfile.Stage stage = dockerfile.stage(target != null ? target : (String) build.get("target"));
        ImageFiles files = ImageFiles.of(stage, "build");
        Path root = scratch.resolve("containers").resolve(service);
        files.mount("/tmp", root.resolve("tmp"));
        // DJL unpacks libtorch there at the first start (~0.5 GB): the machine's own DJL cache spares every run that.
        files.mount(stage.env().getOrDefault("DJL_CACHE_DIR", "/tmp/djl"), Path.of(System.getProperty("user.home"), ".djl.ai"));
        for (String volume : Compose.strings(compose.getOrDefault("volumes", List.of()))) {
            String[] parts = volume.split(":");
            Path folder = scratch.resolve("volumes").resolve(parts[0]);
            createDirectories(folder);
            files.mount(parts[1], folder);
        }
        Map<String, String> env = new LinkedHashMap<>(stage.env());
        Compose.<Object>map(compose.getOrDefault("environment", Map.of())).forEach((k, v) -> env.put(k, String.valueOf(v)));
        env.putAll(extraEnv);
        for (String published : Compose.ports(compose)) {
            String port = published.substring(published.lastIndexOf(':') + 1);
            String here = address(service, Integer.parseInt(port));
            env.replaceAll((k, v) -> k.endsWith("_PORT") && v.equals(port) ? here.substring(here.indexOf(':') + 1) : v);
        }
        env.replaceAll((k, v) -> files.rewrite(addressesIn(v)));
        Path bin = root.resolve("bin");
        createDirectories(bin, root.resolve("tmp"), root.resolve("home"));
        link(bin.resolve("java"), Path.of(ProcessHandle.current().info().command().orElseThrow()));
        for (Dockerfile.Copy copy : stage.copies()) {
            if (copy.destination().startsWith("/usr/local/bin/") && !copy.destination().endsWith("/")) {
                link(bin.resolve(Path.of(copy.destination()).getFileName()), files.host(copy.destination()));
            }
        }
        env.put("PATH", bin + ":/usr/bin:/bin");
        env.put("HOME", root.resolve("home").toString());
        List<String> entrypoint = Compose.strings(compose.getOrDefault("entrypoint", List.of()));
        List<String> command = compose.containsKey("command") ? Compose.strings(compose.get("command"))
                : entrypoint.isEmpty() ? stage.cmd() : List.of();
        List<String> argv = new ArrayList<>(entrypoint);
        argv.addAll(command);
        Path workdir = files.exists(stage.workdir()) ? files.host(stage.workdir()) : root;
        return new Launch(command(argv, files, bin), env, workdir, files, bin);
    }

    private String addressesIn(String value) {
        String out = value;
        for (var e : addresses.entrySet()) {
            out = out.replace(e.getKey(), e.getValue());
        }
        return out;
    }

    /** argv with container paths rewritten and its program found on the container's PATH, as exec would. */
    private static List<String> command(List<String> argv, ImageFiles files, Path bin) {
        List<String> out = new ArrayList<>(argv.stream().map(files::rewrite).toList());
        String program = out.getFirst();
        if (!program.contains("/")) {
            Path found = Files.exists(bin.resolve(program)) ? bin.resolve(program)
                    : Files.exists(Path.of("/usr/bin", program)) ? Path.of("/usr/bin", program) : Path.of("/bin", program);
            out.set(0, found.toString());
        }
        return out;
    }

    private static void link(Path link, Path target) {
        try {
            Files.deleteIfExists(link);
            Files.createSymbolicLink(link, target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void createDirectories(Path... dirs) {
        try {
            for (Path d : dirs) {
                Files.createDirectories(d);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (Container c : running.reversed()) {
            c.stop();
        }
    }
}
