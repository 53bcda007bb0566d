package dev.espalier.policy.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.espalier.policy.export.MergedModelWriter;

import dev.espalier.policy.model.ModelLocator;
import java.nio.file.Path;

/** {@code merge --model DIR --adapter DIR --out DIR}: a plain Hugging Face model with the adapter folded in. */
final class MergeCommand {

    private MergeCommand() {
    }

    static ObjectNode run(Args args, ModelLocator models) {
        Path model = models.locate(args.string("model"));
        Path adapter = args.directory("adapter");
        Path out = Path.of(args.string("out"));
        args.checkAllUsed();
        MergedModelWriter.merge(model, adapter, out);
        return new ObjectMapper().createObjectNode().put("out", out.toString());
    }
}
