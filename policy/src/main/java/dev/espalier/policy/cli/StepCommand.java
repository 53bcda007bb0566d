package dev.espalier.policy.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.espalier.policy.model.CausalLm;
import dev.espalier.policy.model.ModelLocator;
import dev.espalier.policy.train.StepJob;
import dev.espalier.policy.train.StepResult;

import java.nio.file.Path;

/**
 * {@code step --model DIR --adapter-in DIR|none --case CASE.json --out DIR [--objective grpo|dpo --aggregation
 * seq-mean|seq-sum|token-mean --lr --kl-beta --weight-decay --max-grad-norm --dpo-beta --lora-rank --lora-alpha
 * --lora-targets --seed --threads]}: one training step; writes the PEFT adapter and the optimizer state to --out and
 * prints {loss, grad_norm, advantages, kl, ...}. Bit-exact replay needs the same --threads (DESIGN.md §4).
 */
final class StepCommand {

    private static final ObjectMapper JSON = new ObjectMapper();

    private StepCommand() {
    }

    static ObjectNode run(Args args, ModelLocator models) {
        String modelArg = args.string("model");
        Path modelDir = models.locate(modelArg);
        String adapterIn = args.string("adapter-in");
        Path caseFile = Path.of(args.string("case"));
        Path out = Path.of(args.string("out"));
        StepJob job = new StepJob(modelDir, adapterIn.equals("none") ? null : Path.of(adapterIn), caseFile, out,
                TrainingOptions.settings(args), TrainingOptions.lora(args, modelArg), args.longValue("seed", 0));
        int threads = Engine.threads(args);
        try (NDManager manager = Engine.start(args, threads);
             CausalLm model = CausalLm.load(modelDir, manager)) {
            args.checkAllUsed();
            StepResult r = job.run(model::logits, manager);
            ObjectNode json = JSON.createObjectNode();
            json.put("loss", r.loss());
            json.put("policy_term", r.policyTerm());
            json.put("kl", r.klTerm());
            json.put("grad_norm", r.gradNorm());
            java.util.Arrays.stream(r.advantages()).forEach(json.putArray("advantages")::add);
            java.util.Arrays.stream(r.drift()).forEach(json.putArray("drift")::add);
            json.put("step", r.step());
            json.put("out", out.toString());
            return json;
        }
    }
}
