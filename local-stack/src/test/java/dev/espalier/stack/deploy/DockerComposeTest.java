package dev.espalier.stack.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml, as Compose renders it ({@link Compose}), checked against the services it runs: each service's
 * Dockerfile, ports, environment and volumes must agree with its module's application.properties and with the other
 * containers it talks to. What runs inside the images is checked by {@link DockerImagesTest} and
 * {@link ComposeContainersTest}.
 */
class DockerComposeTest {

    private static final List<String> MODULES = List.of("session-service", "trainer-service", "rollout-service", "ui-vaadin");
    /** Read by the JVM, the hub client or the Dockerfile's command, not by application.properties. */
    private static final Set<String> PLATFORM_VARIABLES = Set.of("QUARKUS_HTTP_PORT", "HF_HOME", "HF_HUB_OFFLINE",
            "JAVA_OPTS");
    private static final Pattern URL = Pattern.compile("^(?:http|jdbc:postgresql)://([a-z-]+):(\\d+)");

    private final Map<String, Object> compose = Compose.config();
    private final Map<String, Map<String, Object>> services = map(compose.get("services"));

    @Test
    void runsKafkaPostgresTheModelFetchAndTheFourServices() {
        assertEquals(new TreeSet<>(List.of("kafka", "postgres", "model", "session-service", "trainer-service",
                "rollout-service", "ui-vaadin")), new TreeSet<>(services.keySet()));
        assertTrue(String.valueOf(map(services.get("kafka")).get("environment")).contains("broker,controller"),
                "Kafka runs in KRaft mode");
    }

    @Test
    void everyServiceIsBuiltFromTheDockerfileInItsModule_andListensWhereItsConfigurationSays() {
        for (String module : MODULES) {
            Map<String, Object> service = services.get(module);
            String dockerfile = (String) map(service.get("build")).get("dockerfile");
            assertEquals(module + "/src/main/docker/Dockerfile", dockerfile);
            assertTrue(Files.isRegularFile(Repo.ROOT.resolve(dockerfile)), dockerfile);
            String docker = Repo.read(dockerfile);
            int port = Integer.parseInt(match(docker, "(?m)^EXPOSE (\\d+)$", dockerfile));
            assertEquals(port, Integer.parseInt(match(docker, "QUARKUS_HTTP_PORT=(\\d+)", dockerfile)), dockerfile);
            int configured = Repo.configuredPort(module);
            if (configured > 0) {
                assertEquals(configured, port, module + ": application.properties and Dockerfile disagree on the port");
            }
            Map<String, String> env = environment(module);
            env.entrySet().stream().filter(e -> e.getKey().endsWith("_PORT"))
                    .forEach(e -> assertEquals(String.valueOf(port), e.getValue(), module + " " + e.getKey()));
            // What is not behind sign-in (the trainer's downloads, the rollout-service) is published on the host only.
            String host = List.of("trainer-service", "rollout-service").contains(module) ? "127.0.0.1:" : "";
            assertEquals(List.of(host + port + ":" + port), Compose.ports(service), module + " ports");
            assertTrue(Repo.read(module + "/pom.xml").contains("<artifactId>quarkus-smallrye-health</artifactId>"),
                    module + " serves the /q/health/ready its health check asks");
        }
    }

    @Test
    void everyVariableAServiceNeedsIsSet_andEverySetVariableIsOneItReads() {
        for (String module : MODULES) {
            Map<String, String> env = environment(module);
            String entrypoint = String.valueOf(services.get(module).get("entrypoint"));
            for (String required : Repo.requiredEnvironment(module)) {
                assertTrue(env.containsKey(required) || entrypoint.contains(required + "="),
                        module + " needs " + required + " (no default in application.properties)");
            }
            Set<String> read = Repo.environmentReferences(module);
            for (String name : env.keySet()) {
                assertTrue(read.contains(name) || PLATFORM_VARIABLES.contains(name),
                        module + " sets " + name + ", which its application.properties never reads");
            }
        }
    }

    @Test
    void everyAddressPointsAtAServiceOfTheFile_onThePortItListensOn() {
        Map<String, Integer> listening = Map.of("kafka", 9092, "postgres", 5432,
                "session-service", 8081, "trainer-service", 8082, "rollout-service", 8083, "ui-vaadin", 8080);
        for (String module : MODULES) {
            environment(module).forEach((name, value) -> {
                Matcher m = URL.matcher(value);
                if (m.find()) {
                    assertEquals(listening.get(m.group(1)), Integer.valueOf(m.group(2)), module + " " + name + "=" + value);
                }
                if (name.equals("KAFKA_BOOTSTRAP_SERVERS")) {
                    assertEquals("kafka:9092", value, module);
                    assertEquals("PLAINTEXT://kafka:9092", environment("kafka").get("KAFKA_ADVERTISED_LISTENERS"));
                }
                if (name.equals("ESPALIER_DB_URL")) {
                    Map<String, String> pg = environment("postgres");
                    assertEquals("jdbc:postgresql://postgres:5432/" + pg.get("POSTGRES_DB"), value, module);
                    assertEquals(pg.get("POSTGRES_USER"), environment(module).get("ESPALIER_DB_USER"), module);
                    assertEquals(pg.get("POSTGRES_PASSWORD"), environment(module).get("ESPALIER_DB_PASSWORD"), module);
                }
            });
        }
    }

    @Test
    void rolloutAndTrainerReserveAnNvidiaGpu_andCarryCudaLibtorchFetchedAtImageBuild() {
        for (String module : List.of("rollout-service", "trainer-service")) {
            String deploy = String.valueOf(services.get(module).get("deploy"));
            assertTrue(deploy.contains("driver=nvidia") && deploy.contains("capabilities=[gpu]"), module + ": " + deploy);
            String docker = Repo.read(module + "/src/main/docker/Dockerfile");
            assertTrue(docker.contains("RUN /usr/local/bin/fetch-libtorch-cuda.sh /opt/libtorch/lib"), module);
            assertTrue(docker.contains("PYTORCH_LIBRARY_PATH=/opt/libtorch/lib") && docker.contains("PYTORCH_FLAVOR=cu128")
                    && docker.contains("-Dai.djl.offline=true"), module + " runs offline on the fetched libtorch");
        }
        String properties = Repo.read("pom.xml");
        assertTrue(properties.contains("<pytorch.version>2.7.1</pytorch.version>"), "the images fetch libtorch 2.7.1");
    }

    @Test
    void servicesStartAfterWhatTheyUse_andEveryVolumeIsDeclared() {
        Set<String> declared = map(compose.get("volumes")).keySet();
        for (var entry : services.entrySet()) {
            Map<String, Object> dependsOn = map(entry.getValue().getOrDefault("depends_on", Map.of()));
            dependsOn.forEach((target, condition) -> {
                assertTrue(services.containsKey(target), entry.getKey() + " depends on unknown " + target);
                String expected = target.equals("model") ? "service_completed_successfully" : "service_healthy";
                assertEquals(expected, map(condition).get("condition"), entry.getKey() + " → " + target);
                assertTrue(target.equals("model") || services.get(target).containsKey("healthcheck"), target);
            });
            Map<String, String> env = environment(entry.getKey());
            if (env.containsKey("KAFKA_BOOTSTRAP_SERVERS")) {
                assertTrue(dependsOn.containsKey("kafka"), entry.getKey() + " uses Kafka");
            }
            if (env.containsKey("ESPALIER_DB_URL")) {
                assertTrue(dependsOn.containsKey("postgres"), entry.getKey() + " uses PostgreSQL");
            }
            for (Object volume : (List<?>) entry.getValue().getOrDefault("volumes", List.of())) {
                String name = String.valueOf(volume).split(":")[0];
                assertTrue(declared.contains(name), entry.getKey() + " mounts undeclared volume " + name);
            }
        }
        assertTrue(declared.contains("hf-cache"), "the Hugging Face cache is a volume");
        assertTrue(String.valueOf(services.get("rollout-service").get("volumes")).contains("hf-cache:/cache"));
        assertTrue(String.valueOf(services.get("trainer-service").get("volumes")).contains("hf-cache:/cache"));
    }

    private Map<String, String> environment(String service) {
        Map<String, String> env = new java.util.TreeMap<>();
        map(services.get(service).getOrDefault("environment", Map.of()))
                .forEach((k, v) -> env.put(k, String.valueOf(v).replaceAll("\\$\\{[A-Z_]+:-([^}]*)}", "$1")));
        return env;
    }

    @SuppressWarnings("unchecked")
    private static <V> Map<String, V> map(Object o) {
        return (Map<String, V>) o;
    }

    private static String match(String text, String regex, String where) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            throw new AssertionError(where + " has no " + regex);
        }
        return m.group(1);
    }
}
