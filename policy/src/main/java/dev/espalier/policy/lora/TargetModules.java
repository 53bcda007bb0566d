package dev.espalier.policy.lora;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.espalier.policy.safetensors.SafetensorsFile;
import dev.espalier.policy.safetensors.TensorInfo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the projections a LoRA config targets by reading the weight headers of a Hugging Face model directory
 * (single {@code model.safetensors} or sharded with {@code model.safetensors.index.json}); no weights are loaded.
 * The order is fixed (layer index, then the order of {@link LoraConfig#targets()}), because initialisation, the
 * gradient-norm sum and the files all walk the parameters in this order.
 */
public final class TargetModules {

    private static final Pattern LAYER = Pattern.compile("\\.layers\\.(\\d+)\\.");
    private static final ObjectMapper JSON = new ObjectMapper();

    private TargetModules() {
    }

    public static List<LoraTarget> discover(Path modelDir, List<String> targets) {
        List<LoraTarget> found = new ArrayList<>();
        Set<String> unmatched = new LinkedHashSet<>(targets);
        for (Path file : weightFiles(modelDir)) {
            try (SafetensorsFile st = SafetensorsFile.open(file)) {
                for (TensorInfo info : st.tensors().values()) {
                    String name = info.name();
                    if (!name.endsWith(".weight") || info.shape().dimension() != 2) {
                        continue;
                    }
                    String path = name.substring(0, name.length() - ".weight".length());
                    String module = path.substring(path.lastIndexOf('.') + 1);
                    if (targets.contains(module)) {
                        found.add(new LoraTarget(path, info.shape().get(1), info.shape().get(0)));
                        unmatched.remove(module);
                    }
                }
            }
        }
        if (!unmatched.isEmpty()) {
            throw new IllegalArgumentException("LoRA target module(s) " + unmatched + " match no 2-d weight in "
                    + modelDir);
        }
        found.sort(Comparator.comparingInt((LoraTarget t) -> layerIndex(t.modulePath()))
                .thenComparingInt(t -> targets.indexOf(t.moduleName()))
                .thenComparing(LoraTarget::modulePath));
        return List.copyOf(found);
    }

    /** The safetensors files holding a model directory's weights. */
    public static List<Path> weightFiles(Path modelDir) {
        Path single = modelDir.resolve("model.safetensors");
        if (Files.isRegularFile(single)) {
            return List.of(single);
        }
        Path index = modelDir.resolve("model.safetensors.index.json");
        if (!Files.isRegularFile(index)) {
            throw new IllegalArgumentException("no model.safetensors or model.safetensors.index.json in " + modelDir);
        }
        try {
            JsonNode weightMap = JSON.readTree(index.toFile()).path("weight_map");
            Set<String> shards = new LinkedHashSet<>();
            weightMap.forEach(shard -> shards.add(shard.asText()));
            return shards.stream().sorted().map(modelDir::resolve).toList();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + index + ": " + e.getMessage(), e);
        }
    }

    private static int layerIndex(String modulePath) {
        Matcher m = LAYER.matcher(modulePath);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }
}
