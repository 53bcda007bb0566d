package dev.espalier.policy.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.espalier.policy.model.CausalLm;
import dev.espalier.policy.model.ModelLocator;
import dev.espalier.policy.model.ProjectionDelta;

import java.util.Arrays;

/** {@code score}: log p(ids[i+1] | ids[0..i]) for every i, and the logits after the last id. */
final class ScoreCommand {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ScoreCommand() {
    }

    static ObjectNode run(Args args, ModelLocator models, AdapterInput adapters) {
        String model = args.string("model");
        int[] ids = args.integers("ids");
        int threads = Engine.threads(args);
        try (NDManager manager = Engine.start(args, threads);
             CausalLm lm = CausalLm.load(models.locate(model), manager)) {
            ProjectionDelta delta = adapters.delta(args, lm);
            args.checkAllUsed();
            if (ids.length > lm.config().maxPositions()) {
                throw new IllegalArgumentException("--ids has " + ids.length + " tokens; the model's context "
                        + "(max_position_embeddings) is " + lm.config().maxPositions());
            }
            JniUtils.setGradMode(false);
            try (NDScope ignored = new NDScope()) {
                NDArray tokens = manager.create(Arrays.stream(ids).asLongStream().toArray(), new Shape(1, ids.length));
                NDArray valid = manager.ones(new Shape(1, ids.length));
                NDArray logits = lm.logits(tokens, valid, delta).squeeze(0);      // [T,V]
                float[] logprobs = logits.logSoftmax(-1).toFloatArray();            // [T·V]
                float[] last = logits.get(ids.length - 1).toFloatArray();           // [V]
                int vocab = lm.config().vocabSize();
                ObjectNode out = JSON.createObjectNode();
                ArrayNode tokenLogprobs = out.putArray("token_logprobs");
                for (int i = 0; i + 1 < ids.length; i++) {
                    tokenLogprobs.add(logprobs[i * vocab + ids[i + 1]]);
                }
                ArrayNode lastLogits = out.putArray("last_logits");
                for (float v : last) {
                    lastLogits.add(v);
                }
                return out;
            }
        }
    }
}
