package dev.espalier.policy.lora;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The file layout PEFT's {@code save_pretrained} writes for a LoRA adapter: {@code adapter_model.safetensors} with keys
 * {@code base_model.model.<module path>.lora_A.weight} / {@code .lora_B.weight}, and {@code adapter_config.json}.
 * Only fields every PEFT version since 0.6 understands are written, so older PEFT installs load the adapter too.
 */
public final class PeftFormat {

    public static final String WEIGHTS_FILE = "adapter_model.safetensors";
    public static final String CONFIG_FILE = "adapter_config.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private PeftFormat() {
    }

    public static String keyA(String modulePath) {
        return "base_model.model." + modulePath + ".lora_A.weight";
    }

    public static String keyB(String modulePath) {
        return "base_model.model." + modulePath + ".lora_B.weight";
    }

    static void writeConfig(LoraConfig config, Path dir) {
        Path target = dir.resolve(CONFIG_FILE);
        Path tmp = dir.resolve(CONFIG_FILE + ".tmp");
        try {
            Files.write(tmp, configBytes(config));
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    /** adapter_config.json as {@link #writeConfig} writes it. */
    static byte[] configBytes(LoraConfig config) {
        ObjectNode node = JSON.createObjectNode();
        node.put("base_model_name_or_path", config.baseModel());
        node.put("bias", "none");
        node.put("fan_in_fan_out", false);
        node.put("inference_mode", true);
        node.put("init_lora_weights", true);
        node.putNull("layers_pattern");
        node.putNull("layers_to_transform");
        if (config.alpha() == Math.rint(config.alpha())) {
            node.put("lora_alpha", (long) config.alpha());
        } else {
            node.put("lora_alpha", config.alpha());
        }
        node.put("lora_dropout", 0.0);
        node.putNull("modules_to_save");
        node.put("peft_type", "LORA");
        node.put("r", config.rank());
        node.putObject("rank_pattern");
        node.putObject("alpha_pattern");
        node.putNull("revision");
        config.targets().forEach(node.putArray("target_modules")::add);
        node.put("task_type", "CAUSAL_LM");
        node.put("use_dora", false);
        node.put("use_rslora", false);
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException("cannot render adapter_config.json: " + e.getMessage(), e);
        }
    }

    /** Reads adapter_config.json, refusing the variants this engine does not implement (DoRA, rsLoRA, patterns). */
    static LoraConfig readConfig(Path dir) {
        Path file = dir.resolve(CONFIG_FILE);
        JsonNode node;
        try {
            node = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read adapter config " + file + ": " + e.getMessage(), e);
        }
        if (!"LORA".equals(node.path("peft_type").asText())) {
            throw new IllegalArgumentException(file + ": peft_type must be LORA, found " + node.path("peft_type"));
        }
        for (String unsupported : List.of("use_dora", "use_rslora", "fan_in_fan_out")) {
            if (node.path(unsupported).asBoolean(false)) {
                throw new IllegalArgumentException(file + ": " + unsupported + "=true is not supported");
            }
        }
        for (String pattern : List.of("rank_pattern", "alpha_pattern")) {
            if (node.has(pattern) && !node.get(pattern).isNull() && !node.get(pattern).isEmpty()) {
                throw new IllegalArgumentException(file + ": per-module " + pattern + " is not supported");
            }
        }
        JsonNode targetsNode = node.path("target_modules");
        List<String> targets = new ArrayList<>();
        if (targetsNode.isArray()) {
            targetsNode.forEach(t -> targets.add(t.asText()));
        } else {
            throw new IllegalArgumentException(file + ": target_modules must be a list of module names, found "
                    + targetsNode);
        }
        // PEFT stores target_modules as a set, so its order is arbitrary: put the known projections in block order.
        List<String> ordered = new ArrayList<>(LoraConfig.DEFAULT_TARGETS.stream().filter(targets::contains).toList());
        targets.stream().filter(t -> !ordered.contains(t)).sorted().forEach(ordered::add);
        try {
            return new LoraConfig(node.path("r").asInt(0), node.path("lora_alpha").asDouble(0), ordered,
                    node.path("base_model_name_or_path").isNull() ? null : node.path("base_model_name_or_path").asText());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }
}
