package dev.espalier.stack.deploy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose.yml as a real Compose implementation reads it: `docker-compose config` (Debian's docker-compose,
 * which `.ci/run` installs) validates the file against the Compose schema, resolves anchors, variables (with a
 * clean environment: the defaults the file gives) and .env, and prints the result.
 */
final class Compose {

    private Compose() {
    }

    static Map<String, Object> config() {
        List<String> argv = List.of("docker-compose", "--project-directory", Repo.ROOT.toString(),
                "-f", Repo.ROOT.resolve("docker-compose.yml").toString(), "config");
        ProcessResult result;
        try {
            result = ProcessResult.run(argv, Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin")),
                    Repo.ROOT, Duration.ofMinutes(1));
        } catch (java.io.UncheckedIOException e) {
            throw new AssertionError("docker-compose is not installed: `apt-get install docker-compose` (.ci/run "
                    + "installs it) to check docker-compose.yml with a real Compose implementation", e);
        }
        if (result.exitCode() != 0) {
            throw new AssertionError("docker-compose config refuses docker-compose.yml:\n" + result.output());
        }
        return new Yaml().load(result.output());
    }

    @SuppressWarnings("unchecked")
    static <V> Map<String, V> map(Object o) {
        return (Map<String, V>) o;
    }

    static List<String> strings(Object o) {
        return ((List<?>) o).stream().map(String::valueOf).toList();
    }

    /**
     * A service's published ports as {@code [host_ip:]published:target}, whichever of Compose's two forms the file
     * uses (the rendered short form adds the protocol, {@code /tcp}).
     */
    static List<String> ports(Map<String, Object> service) {
        return ((List<?>) service.getOrDefault("ports", List.of())).stream()
                .map(p -> p instanceof Map<?, ?> m
                        ? (m.get("host_ip") == null ? "" : m.get("host_ip") + ":") + m.get("published") + ":"
                        + m.get("target")
                        : String.valueOf(p).replaceFirst("/tcp$", ""))
                .toList();
    }

    /** A Compose duration such as {@code 5s}, {@code 1m30s} or {@code 500ms}. */
    static Duration duration(Object value) {
        String text = String.valueOf(value);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(ms|h|m|s)").matcher(text);
        Duration d = Duration.ZERO;
        while (m.find()) {
            long n = Long.parseLong(m.group(1));
            d = d.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "h" -> Duration.ofHours(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofSeconds(n);
            });
        }
        return d;
    }
}
