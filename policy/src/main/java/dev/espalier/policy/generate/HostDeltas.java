package dev.espalier.policy.generate;

import ai.djl.ndarray.NDArray;
import dev.espalier.policy.lora.LoraAdapter;
import dev.espalier.policy.lora.LoraTarget;
import dev.espalier.policy.model.LowRankDeltas;
import dev.espalier.policy.model.ProjectionDelta;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The deltas the host decoder can apply: none, or a LoRA adapter's pairs, copied at the start of a generation. */
final class HostDeltas {

    private HostDeltas() {
    }

    /** @return the host form of {@code delta}, or null for a kind of delta only the engine path can apply */
    static LowRankDeltas of(ProjectionDelta delta) {
        if (delta == ProjectionDelta.NONE) {
            return LowRankDeltas.NONE;
        }
        if (!(delta instanceof LoraAdapter adapter)) {
            return null;
        }
        int rank = adapter.config().rank();
        float scaling = (float) adapter.config().scaling(); // as GraphScalar makes it
        List<NDArray> parameters = adapter.parameters();
        List<LoraTarget> targets = adapter.targets();
        Map<String, LowRankDeltas.Pair> pairs = new HashMap<>();
        for (int i = 0; i < targets.size(); i++) {
            LoraTarget t = targets.get(i);
            pairs.put(t.modulePath(), new LowRankDeltas.Pair(parameters.get(2 * i).toFloatArray(),
                    parameters.get(2 * i + 1).toFloatArray(), rank, (int) t.inFeatures(), (int) t.outFeatures(),
                    scaling));
        }
        return new LowRankDeltas(pairs);
    }
}
