package dev.espalier.ui.setup;

import dev.espalier.events.SessionConfig;
import dev.espalier.events.SessionConfig.Lora;
import dev.espalier.events.SessionConfig.Objective;
import dev.espalier.events.SessionConfig.PromptFormat;
import dev.espalier.events.SessionConfig.PromptSourceSpec;
import dev.espalier.events.SessionConfig.Sampling;
import java.util.List;
import java.util.Map;

/**
 * Runs a setup request through {@link SessionConfig}'s own checks, the ones session-service applies, so the form
 * shows the same message on the same field before the request is sent. Seeds left empty are drawn by
 * session-service; any value stands in for them here since every seed is valid.
 */
final class SetupRules {

    private SetupRules() {
    }

    /** @throws SessionConfig.InvalidConfigException naming the first field at fault */
    @SuppressWarnings("unchecked")
    static void check(Map<String, Object> request) {
        Map<String, Object> prompts = (Map<String, Object>) request.get("prompts");
        Map<String, Object> sampling = (Map<String, Object>) request.get("sampling");
        Map<String, Object> lora = (Map<String, Object>) request.get("lora");
        new SessionConfig((String) request.get("model"),
                new PromptSourceSpec((PromptSourceSpec.Kind) prompts.get("kind"), (String) prompts.get("location"),
                        (String) prompts.get("revision"), (String) prompts.get("textColumn"),
                        (List<String>) prompts.get("typed"), 0L),
                new PromptFormat((PromptFormat.Mode) request.get("mode"), (String) request.get("systemPrompt"),
                        (String) request.get("prefix"), (String) request.get("suffix")),
                (Integer) request.get("groupSize"),
                new Sampling((Double) sampling.get("temperature"), (Double) sampling.get("minP"),
                        (Double) sampling.get("topP"), (Integer) sampling.get("maxNewTokens"), 0L),
                new Lora((Integer) lora.get("rank"), (Double) lora.get("alpha"), (List<String>) lora.get("targets")),
                (Objective) request.get("objective"),
                (Double) request.get("learningRate"), (Double) request.get("klBeta"),
                (Double) request.get("weightDecay"), (Double) request.get("maxGradNorm"),
                (Double) request.get("dpoBeta"), (Integer) request.get("checkpointEvery"),
                (String) request.get("controlPrompt"));
    }
}
