package dev.espalier.session.prompts;

import dev.espalier.events.SessionConfig;
import dev.espalier.events.SessionConfig.PromptSourceSpec;
import dev.espalier.session.domain.PromptSequence;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Loads each session's prompt source once and keeps it in play order. Sources are fixed by the session's config,
 * so after a restart they load again into the same order; where a session is in that order comes from its events.
 */
@ApplicationScoped
public class PromptCatalog {

    private final Map<PromptSourceSpec, List<String>> loaded = new ConcurrentHashMap<>();

    public PromptSequence sequenceFor(PromptSourceSpec spec) {
        List<String> prompts = loaded.computeIfAbsent(spec, PromptCatalog::load);
        return position -> position >= 0 && position < prompts.size()
                ? Optional.of(prompts.get(position)) : Optional.empty();
    }

    private static List<String> load(PromptSourceSpec spec) {
        List<String> prompts = switch (spec.kind()) {
            case TYPED -> spec.typed();
            case LOCAL_FILE -> LocalFilePrompts.load(Path.of(spec.location()), spec.textColumn());
            case HF_DATASET -> throw new PromptSourceException("prompts.kind HF_DATASET is not available in this "
                    + "build yet; use LOCAL_FILE or TYPED (dataset " + spec.location() + ")");
        };
        for (int i = 0; i < prompts.size(); i++) {
            if (prompts.get(i).length() > SessionConfig.MAX_PROMPT_CHARS) {
                throw new PromptSourceException("prompt " + i + " of " + describe(spec) + " is "
                        + prompts.get(i).length() + " characters, more than " + SessionConfig.MAX_PROMPT_CHARS);
            }
        }
        // Typed prompts are played in the order typed; files and datasets in the seeded order.
        return spec.kind() == PromptSourceSpec.Kind.TYPED ? prompts : PromptOrder.shuffle(prompts, spec.orderSeed());
    }

    private static String describe(PromptSourceSpec spec) {
        return spec.kind() == PromptSourceSpec.Kind.TYPED ? "the typed prompts" : spec.location();
    }
}
