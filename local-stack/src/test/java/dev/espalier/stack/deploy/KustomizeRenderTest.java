package dev.espalier.stack.deploy;

import static dev.espalier.stack.deploy.Kustomize.list;
import static dev.espalier.stack.deploy.Kustomize.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * k8s/base and k8s/overlays/gpu rendered by the real kustomize ({@link Kustomize}), checked against the Kubernetes API's
 * object model and against the services' configuration.
 */
class KustomizeRenderTest {

    private static final Map<String, Integer> PORTS = Map.of("session-service", 8081, "trainer-service", 8082,
            "rollout-service", 8083, "ui-vaadin", 8080);
    private static final Set<String> PLATFORM_VARIABLES = Set.of("QUARKUS_HTTP_PORT", "HF_HOME", "HF_HUB_OFFLINE", "JAVA_OPTS");

    private final List<Map<String, Object>> base = Kustomize.render(Repo.ROOT.resolve("k8s/base"));
    private final List<Map<String, Object>> gpu = Kustomize.render(Repo.ROOT.resolve("k8s/overlays/gpu"));

    @Test
    void base_holdsPostgresAndKafkaStatefulSets_theFourServices_theirServices_configAndCache() {
        assertEquals(Set.of("StatefulSet/kafka", "StatefulSet/postgres", "Deployment/session-service",
                "Deployment/trainer-service", "Deployment/rollout-service", "Deployment/ui-vaadin", "Service/kafka",
                "Service/postgres", "Service/session-service", "Service/trainer-service", "Service/rollout-service",
                "Service/ui-vaadin", "ConfigMap/espalier-config", "PersistentVolumeClaim/hf-cache"),
                new TreeSet<>(base.stream().map(KustomizeRenderTest::id).toList()));
        base.forEach(doc -> assertEquals("espalier", labels(doc).get("app.kubernetes.io/part-of"), id(doc)));
    }

    @Test
    void everyServicePod_isProbedOnItsHealthEndpoints_requestsResources_andIsScrapedForMetrics() {
        PORTS.forEach((module, port) -> {
            Map<String, Object> deployment = find(base, "Deployment", module);
            Map<String, Object> container = container(deployment, module);
            assertEquals("espalier/" + module + ":0.1.0", container.get("image"));
            Map<String, Object> http = map(list(container.get("ports")).getFirst());
            assertEquals("http", http.get("name"));
            assertEquals(port, http.get("containerPort"), module);
            assertEquals("/q/health/ready", map(map(container.get("readinessProbe")).get("httpGet")).get("path"));
            assertEquals("/q/health/live", map(map(container.get("livenessProbe")).get("httpGet")).get("path"));
            Map<String, Object> requests = map(map(container.get("resources")).get("requests"));
            assertTrue(requests.containsKey("cpu") && requests.containsKey("memory"), module + " requests");
            Map<String, Object> annotations = map(map(map(map(deployment.get("spec")).get("template")).get("metadata"))
                    .get("annotations"));
            assertEquals(String.valueOf(port), annotations.get("prometheus.io/port"), module);
            assertEquals("/q/metrics", annotations.get("prometheus.io/path"), module);
            Map<String, Object> service = find(base, "Service", module);
            assertEquals("http", map(list(map(service.get("spec")).get("ports")).getFirst()).get("targetPort"));
            assertEquals(module, map(map(service.get("spec")).get("selector")).get("app.kubernetes.io/name"));
        });
        for (String stateful : List.of("postgres", "kafka")) {
            Map<String, Object> c = container(find(base, "StatefulSet", stateful), stateful);
            assertNotNull(c.get("readinessProbe"), stateful);
            assertNotNull(map(map(c.get("resources")).get("requests")).get("memory"), stateful);
        }
    }

    @Test
    void everyVariableIsOneTheServiceReads_requiredOnesAreSet_andReferencesResolve() {
        Map<String, Object> config = map(find(base, "ConfigMap", "espalier-config").get("data"));
        PORTS.keySet().forEach(module -> {
            Map<String, Object> container = container(find(base, "Deployment", module), module);
            Set<String> names = new TreeSet<>();
            for (Object e : list(container.get("env"))) {
                Map<String, Object> env = map(e);
                String name = (String) env.get("name");
                names.add(name);
                assertTrue(Repo.environmentReferences(module).contains(name) || PLATFORM_VARIABLES.contains(name),
                        module + " sets " + name + ", which its application.properties never reads");
                Map<String, Object> from = map(env.getOrDefault("valueFrom", Map.of()));
                if (from.containsKey("configMapKeyRef")) {
                    assertTrue(config.containsKey(map(from.get("configMapKeyRef")).get("key")), module + " " + name);
                }
                if (from.containsKey("secretKeyRef")) {
                    assertTrue(Set.of("espalier-db", "espalier-oidc").contains(map(from.get("secretKeyRef"))
                            .get("name")), module + " " + name);
                }
            }
            String command = String.valueOf(container.get("command"));
            for (String required : Repo.requiredEnvironment(module)) {
                assertTrue(names.contains(required) || command.contains(required + "="), module + " needs " + required);
            }
        });
        Matcher url = Pattern.compile("^(?:http|jdbc:postgresql)://([a-z-]+):(\\d+)").matcher("");
        config.forEach((key, value) -> {
            if (url.reset(String.valueOf(value)).find()) {
                Map<String, Object> service = find(base, "Service", url.group(1));
                assertTrue(list(map(service.get("spec")).get("ports")).stream()
                        .anyMatch(p -> String.valueOf(map(p).get("port")).equals(url.group(2))), key + "=" + value);
            }
        });
        assertEquals("kafka:9092", config.get("KAFKA_BOOTSTRAP_SERVERS"));
    }

    @Test
    void everyRenderedObject_isAKindTheApiServes_withNoFieldItsSchemaLacks() {
        assertEquals(List.of(), Kustomize.unknownFields(base), "k8s/base");
        assertEquals(List.of(), Kustomize.unknownFields(gpu), "k8s/overlays/gpu");
    }

    @Test
    void baseRunsTheCpuImages_gpuOverlayTheCudaOnes_allAtTheOneVersionTheImagesScriptBuilds() {
        String version = DockerImagesTest.oneVersion(Repo.read("k8s/base/kustomization.yaml"));
        PORTS.keySet().forEach(module -> {
            assertEquals(Set.of("espalier/" + module + ":" + version), images(find(base, "Deployment", module)), module);
            String gpuImage = "espalier/" + module + (module.equals("rollout-service") || module.equals("trainer-service")
                    ? "-cuda" : "") + ":" + version;
            assertEquals(Set.of(gpuImage), images(find(gpu, "Deployment", module)), module + " in the GPU overlay");
        });
    }

    @Test
    void everyPodRunsAsItsImagesUser_andOwnsItsVolumesThroughFsGroup() {
        Map<String, Integer> users = Map.of("StatefulSet/kafka", 1000, "StatefulSet/postgres", 999);
        for (Map<String, Object> workload : base) {
            if (!List.of("Deployment", "StatefulSet").contains(workload.get("kind"))) {
                continue;
            }
            int user = users.getOrDefault(id(workload), 1001);
            Map<String, Object> security = map(podSpec(workload).get("securityContext"));
            assertEquals(true, security.get("runAsNonRoot"), id(workload));
            assertEquals(user, security.get("runAsUser"), id(workload));
            assertEquals(user, security.get("fsGroup"), id(workload));
        }
    }

    @Test
    void theDatabasePasswordComesFromTheSecretTheReadmeCreates_theHubTokenAndTheSignInSecretFromOptionalOnes() {
        Matcher create = Pattern.compile("kubectl create secret generic (\\S+) --from-literal=(\\w+)=")
                .matcher(Repo.read("README.md"));
        assertTrue(create.find(), "README.md tells how to create the database Secret");
        Set<String> secrets = new TreeSet<>();
        for (Map<String, Object> workload : base) {
            if (!List.of("Deployment", "StatefulSet").contains(workload.get("kind"))) {
                continue;
            }
            for (Object c : concat(podSpec(workload).get("initContainers"), podSpec(workload).get("containers"))) {
                for (Object e : list(map(c).get("env"))) {
                    Map<String, Object> ref = map(map(map(e).get("valueFrom")).get("secretKeyRef"));
                    if (ref.isEmpty()) {
                        continue;
                    }
                    secrets.add((String) ref.get("name"));
                    if (ref.get("name").equals("espalier-hf")) {
                        assertEquals(List.of("token", true), List.of(ref.get("key"), ref.get("optional")), id(workload));
                    } else if (ref.get("name").equals("espalier-oidc")) {
                        assertEquals(List.of("client-secret", true), List.of(ref.get("key"), ref.get("optional")),
                                id(workload));
                    } else {
                        assertEquals(List.of(create.group(1), create.group(2)), List.of(ref.get("name"), ref.get("key")),
                                id(workload) + " " + map(e).get("name"));
                        assertNotEquals(true, ref.get("optional"), id(workload) + ": a pod without a password must not start");
                    }
                }
            }
        }
        assertEquals(Set.of(create.group(1), "espalier-hf", "espalier-oidc"), secrets);
    }

    @Test
    void rolloutAndTrainer_scaleOutBySession_throughOneConsumerGroupPerService() {
        for (String module : List.of("rollout-service", "trainer-service")) {
            int replicas = (Integer) map(find(base, "Deployment", module).get("spec")).get("replicas");
            assertTrue(replicas >= 2, module + " replicas " + replicas);
            // Each service's own channel name (both run in one JVM in ./espalier up), its own group, the same topic.
            String channel = "mp.messaging.incoming." + module.replace("-service", "") + "-session-events.";
            Properties properties = Repo.applicationProperties(module);
            assertEquals(module, properties.getProperty(channel + "group.id"),
                    module + ": every replica must join the same consumer group");
            assertEquals("espalier.session-events", properties.getProperty(channel + "topic"), module);
        }
    }

    @Test
    void gpuOverlay_givesRolloutAndTrainerAGpuEach_keepsTheirProbesAndMemoryLimit_andLeavesTheRestAsInBase() {
        for (String module : List.of("rollout-service", "trainer-service")) {
            Map<String, Object> deployment = find(gpu, "Deployment", module);
            Map<String, Object> container = container(deployment, module);
            Map<String, Object> limits = map(map(container.get("resources")).get("limits"));
            assertEquals(1, limits.get("nvidia.com/gpu"), module);
            assertEquals("8Gi", limits.get("memory"), module + ": the base limit survives the merge");
            assertNotNull(container.get("readinessProbe"), module + ": the base probe survives the merge");
            assertEquals(1, list(map(map(map(deployment.get("spec")).get("template")).get("spec")).get("containers")).size());
            assertEquals("true", map(podSpec(deployment).get("nodeSelector")).get("nvidia.com/gpu.present"));
            assertFalse(list(podSpec(deployment).get("initContainers")).isEmpty(), module + " still fetches the model");
        }
        for (String unchanged : List.of("session-service", "ui-vaadin")) {
            assertEquals(find(base, "Deployment", unchanged), find(gpu, "Deployment", unchanged), unchanged);
        }
        assertEquals(base.size(), gpu.size());
    }

    private static Set<String> images(Map<String, Object> workload) {
        Set<String> images = new TreeSet<>();
        for (Object c : concat(podSpec(workload).get("initContainers"), podSpec(workload).get("containers"))) {
            images.add((String) map(c).get("image"));
        }
        return images;
    }

    private static List<Object> concat(Object a, Object b) {
        List<Object> all = new java.util.ArrayList<>(list(a));
        all.addAll(list(b));
        return all;
    }

    private static String id(Map<String, Object> doc) {
        return doc.get("kind") + "/" + map(doc.get("metadata")).get("name");
    }

    private static Map<String, Object> labels(Map<String, Object> doc) {
        return map(map(doc.get("metadata")).get("labels"));
    }

    private static Map<String, Object> find(List<Map<String, Object>> docs, String kind, String name) {
        return docs.stream().filter(d -> id(d).equals(kind + "/" + name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + "/" + name));
    }

    private static Map<String, Object> podSpec(Map<String, Object> workload) {
        return map(map(map(workload.get("spec")).get("template")).get("spec"));
    }

    private static Map<String, Object> container(Map<String, Object> workload, String name) {
        return list(podSpec(workload).get("containers")).stream().map(Kustomize::map)
                .filter(c -> name.equals(c.get("name"))).findFirst().orElseThrow(() -> new AssertionError(name));
    }
}
