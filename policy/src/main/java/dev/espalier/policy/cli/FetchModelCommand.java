package dev.espalier.policy.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.espalier.policy.model.CausalLm;
import dev.espalier.policy.model.ModelConfig;
import dev.espalier.policy.model.ModelLocator;
import dev.espalier.policy.text.TextTokenizer;
import java.nio.file.Path;

/**
 * {@code fetch-model --model ID|DIR}: brings a model into the Hugging Face cache (the one download of a deployment,
 * before the services that read the cache start) and checks it as the services will load it: config.json supported,
 * every tensor there with its shape, the tokenizer loads. No weight is read, so it runs in little memory and on
 * any image, with or without a GPU.
 */
final class FetchModelCommand {

    private FetchModelCommand() {
    }

    static ObjectNode run(Args args, ModelLocator models) {
        String model = args.string("model");
        args.checkAllUsed();
        Path dir = models.locate(model);
        ModelConfig config = CausalLm.check(dir);
        TextTokenizer.load(dir);
        return new ObjectMapper().createObjectNode()
                .put("model", model)
                .put("dir", dir.toString())
                .put("architecture", config.architecture().hfClass());
    }
}
