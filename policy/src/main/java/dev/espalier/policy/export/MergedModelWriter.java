package dev.espalier.policy.export;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.espalier.policy.lora.LoraAdapter;
import dev.espalier.policy.lora.LoraTarget;
import dev.espalier.policy.lora.TargetModules;
import dev.espalier.policy.safetensors.SafetensorsFile;
import dev.espalier.policy.safetensors.SafetensorsWriter;
import dev.espalier.policy.safetensors.TensorInfo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Folds an adapter into its base model and writes a plain Hugging Face model directory: every targeted weight becomes
 * W + (alpha/r)·B·A (PEFT's merge_and_unload), every other tensor is copied, and every non-weight file (config,
 * tokenizer, generation config, chat template) is copied. Floating-point weights are written as float32, because the
 * merge is computed in float32 and rounding it back to bf16 would lose most of a small adapter's update.
 */
public final class MergedModelWriter {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private MergedModelWriter() {
    }

    /** Nothing is written unless the adapter loads against the base; the output directory must be new or empty. */
    public static void merge(Path modelDir, Path adapterDir, Path outDir) {
        requireNewOrEmpty(outDir, modelDir);
        try (NDManager manager = NDManager.newBaseManager();
             LoraAdapter adapter = LoraAdapter.load(adapterDir, modelDir, manager)) {
            Map<String, Integer> targetIndex = new HashMap<>();
            List<LoraTarget> targets = adapter.targets();
            for (int i = 0; i < targets.size(); i++) {
                targetIndex.put(targets.get(i).modulePath() + ".weight", i);
            }
            SafetensorsWriter writer = new SafetensorsWriter().metadata("format", "pt");
            for (Path file : TargetModules.weightFiles(modelDir)) {
                try (SafetensorsFile st = SafetensorsFile.open(file); NDManager scope = manager.newSubManager()) {
                    for (TensorInfo info : st.tensors().values()) {
                        Integer target = targetIndex.get(info.name());
                        if (target != null) {
                            NDArray merged = st.loadFloat32(info.name(), scope).add(adapter.weightDelta(target));
                            writer.add(info.name(), merged);
                        } else if (info.dtype().isFloating()) {
                            writer.add(info.name(), st.loadFloat32(info.name(), scope));
                        } else {
                            writer.add(info.name(), info.dtype(), info.shape(), copy(st, info.name()));
                        }
                    }
                }
            }
            Files.createDirectories(outDir);
            copyOtherFiles(modelDir, outDir);
            writer.write(outDir.resolve("model.safetensors"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write merged model to " + outDir + ": " + e.getMessage(), e);
        }
    }

    private static java.nio.ByteBuffer copy(SafetensorsFile st, String name) {
        java.nio.ByteBuffer mapped = st.bytes(name);
        java.nio.ByteBuffer copy = java.nio.ByteBuffer.allocate(mapped.remaining()).order(mapped.order());
        return copy.put(mapped).flip();
    }

    private static void copyOtherFiles(Path modelDir, Path outDir) throws IOException {
        try (Stream<Path> files = Files.list(modelDir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String name = file.getFileName().toString();
                if (name.endsWith(".safetensors") || name.equals("model.safetensors.index.json")) {
                    continue;
                }
                if (name.equals("config.json")) {
                    ObjectNode config = (ObjectNode) JSON.readTree(file.toFile());
                    // The weights are now float32; transformers reads the dtype to load in from here.
                    for (String key : List.of("torch_dtype", "dtype")) {
                        if (config.has(key)) {
                            config.put(key, "float32");
                        }
                    }
                    JSON.writeValue(outDir.resolve(name).toFile(), config);
                } else {
                    Files.copy(file, outDir.resolve(name));
                }
            }
        }
    }

    private static void requireNewOrEmpty(Path outDir, Path modelDir) {
        if (outDir.toAbsolutePath().normalize().equals(modelDir.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("--out must differ from --model (" + outDir + ")");
        }
        if (Files.exists(outDir)) {
            try (Stream<Path> entries = Files.list(outDir)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalArgumentException("--out " + outDir + " exists and is not empty");
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("--out " + outDir + " is not a usable directory: " + e.getMessage());
            }
        }
    }
}
