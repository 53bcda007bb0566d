package dev.espalier.policy.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;
import dev.espalier.policy.model.ProjectionDelta;
import dev.espalier.policy.safetensors.SafetensorsFile;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The Java twin of tools/grpo_reference.py's ToyLm: position-wise, with llama's projection names, so the training
 * math can be checked against PyTorch + peft without a full transformer. Legend: B batch, T time, C channels, V vocab.
 * h = E[x]; per layer h += o(q(h)·σ(k(h)) + v(h)); h += down(silu(gate(h))·up(h)); logits = h·Eᵀ.
 */
public final class ToyCausalLm implements CausalForward, AutoCloseable {

    private final NDManager manager;
    private final Map<String, NDArray> weights = new HashMap<>();
    private final int layers;

    public ToyCausalLm(Path modelDir, NDManager parent) {
        manager = parent.newSubManager();
        try (SafetensorsFile st = SafetensorsFile.open(modelDir.resolve("model.safetensors"))) {
            for (String name : st.tensors().keySet()) {
                weights.put(name, st.loadFloat32(name, manager).duplicate());
            }
        }
        int n = 0;
        while (weights.containsKey("model.layers." + n + ".self_attn.q_proj.weight")) {
            n++;
        }
        layers = n;
    }

    @Override
    public NDArray logits(NDArray tokenIds, NDArray validMask, ProjectionDelta delta, int from) {
        return logits(tokenIds, validMask, delta).get(new ai.djl.ndarray.index.NDIndex(":, {}:", from));
    }

    public NDArray logits(NDArray tokenIds, NDArray validMask, ProjectionDelta delta) {
        NDArray embed = weights.get("model.embed_tokens.weight");                    // [V, C]
        NDArray h = tokenIds.oneHot((int) embed.getShape().get(0)).matMul(embed);    // [B, T, C]
        for (int l = 0; l < layers; l++) {
            String p = "model.layers." + l + ".";
            NDArray q = linear(p + "self_attn.q_proj", h, delta);
            NDArray k = linear(p + "self_attn.k_proj", h, delta);
            NDArray v = linear(p + "self_attn.v_proj", h, delta);
            h = h.add(linear(p + "self_attn.o_proj", q.mul(Activation.sigmoid(k)).add(v), delta));
            NDArray gate = linear(p + "mlp.gate_proj", h, delta);
            NDArray up = linear(p + "mlp.up_proj", h, delta);
            NDArray silu = gate.mul(Activation.sigmoid(gate));
            h = h.add(linear(p + "mlp.down_proj", silu.mul(up), delta));
        }
        return h.matMul(embed.transpose());                                          // [B, T, V]
    }

    private NDArray linear(String path, NDArray x, ProjectionDelta delta) {
        NDArray y = x.matMul(weights.get(path + ".weight").transpose());
        NDArray d = delta.apply(path, x);
        return d == null ? y : y.add(d);
    }

    @Override
    public void close() {
        manager.close();
    }
}
