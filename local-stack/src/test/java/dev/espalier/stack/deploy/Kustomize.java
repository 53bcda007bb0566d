package dev.espalier.stack.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.yaml.snakeyaml.Yaml;

/**
 * Renders a kustomization the way {@code kubectl kustomize} does, for the features this repository's k8s/ uses and
 * nothing more (no kustomize binary or Java port exists on Maven Central): {@code resources} (files, or folders with
 * their own kustomization, rendered first), {@code labels} (metadata labels only), {@code images} (newName / newTag
 * by image name), and {@code patches} given by {@code path}, applied as strategic merge patches to the resource of
 * the same kind and name: maps merge key by key, lists of maps with a {@code name} key (containers, env, ports,
 * volumes) merge item by item on that name, any other value replaces. Anything else in a kustomization is refused,
 * so a manifest using more fails here instead of rendering wrongly.
 */
final class Kustomize {

    private static final List<String> SUPPORTED = List.of("apiVersion", "kind", "resources", "labels", "images", "patches");

    private Kustomize() {
    }

    static List<Map<String, Object>> render(Path dir) {
        Map<String, Object> k = load(dir.resolve("kustomization.yaml")).getFirst();
        for (String key : k.keySet()) {
            if (!SUPPORTED.contains(key)) {
                throw new IllegalArgumentException(dir + "/kustomization.yaml: '" + key + "' is not supported by this renderer");
            }
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object r : list(k.get("resources"))) {
            Path p = dir.resolve((String) r).normalize();
            out.addAll(Files.isDirectory(p) ? render(p) : load(p));
        }
        for (Object l : list(k.get("labels"))) {
            Map<String, Object> pairs = map(map(l).get("pairs"));
            out.forEach(doc -> map(map(doc.get("metadata")).computeIfAbsent("labels", x -> new LinkedHashMap<>()))
                    .putAll(pairs));
        }
        for (Object i : list(k.get("images"))) {
            Map<String, Object> image = map(i);
            out.forEach(doc -> retag(doc, image));
        }
        for (Object p : list(k.get("patches"))) {
            Map<String, Object> patch = load(dir.resolve((String) map(p).get("path"))).getFirst();
            Map<String, Object> target = out.stream().filter(doc -> sameObject(doc, patch)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("patch " + map(p).get("path") + " matches no resource"));
            merge(target, patch);
        }
        return out;
    }

    /** Strategic merge of {@code patch} into {@code target}, in place. */
    static void merge(Map<String, Object> target, Map<String, Object> patch) {
        patch.forEach((key, value) -> {
            Object current = target.get(key);
            if (current instanceof Map<?, ?> && value instanceof Map<?, ?>) {
                merge(map(current), map(value));
            } else if (current instanceof List<?> a && value instanceof List<?> b && namedMaps(a) && namedMaps(b)) {
                for (Object item : b) {
                    Object name = map(item).get("name");
                    a.stream().filter(x -> Objects.equals(map(x).get("name"), name)).findFirst()
                            .ifPresentOrElse(x -> merge(map(x), map(item)), () -> list(current).add(item));
                }
            } else {
                target.put(key, value);
            }
        });
    }

    private static boolean namedMaps(List<?> items) {
        return !items.isEmpty() && items.stream().allMatch(i -> i instanceof Map<?, ?> m && m.containsKey("name"));
    }

    private static boolean sameObject(Map<String, Object> a, Map<String, Object> b) {
        return Objects.equals(a.get("kind"), b.get("kind"))
                && Objects.equals(map(a.get("metadata")).get("name"), map(b.get("metadata")).get("name"));
    }

    private static void retag(Map<String, Object> doc, Map<String, Object> image) {
        Object template = map(doc.getOrDefault("spec", Map.of())).get("template");
        if (template == null) {
            return;
        }
        Map<String, Object> pod = map(map(template).get("spec"));
        for (String kind : List.of("initContainers", "containers")) {
            for (Object c : list(pod.get(kind))) {
                Map<String, Object> container = map(c);
                String ref = (String) container.get("image");
                String name = ref.contains(":") ? ref.substring(0, ref.lastIndexOf(':')) : ref;
                if (name.equals(image.get("name"))) {
                    String newName = (String) image.getOrDefault("newName", name);
                    Object tag = image.get("newTag");
                    container.put("image", tag == null ? newName : newName + ":" + tag);
                }
            }
        }
    }

    static List<Map<String, Object>> load(Path file) {
        try {
            List<Map<String, Object>> docs = new ArrayList<>();
            for (Object doc : new Yaml().loadAll(Files.readString(file))) {
                if (doc != null) {
                    docs.add(map(doc));
                }
            }
            return docs;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        return o == null ? new ArrayList<>() : (List<Object>) o;
    }
}
