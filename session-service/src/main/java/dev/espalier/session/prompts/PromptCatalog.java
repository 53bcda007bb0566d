package dev.espalier.session.prompts;

import dev.espalier.events.SessionConfig;
import dev.espalier.events.SessionConfig.PromptSourceSpec;
import dev.espalier.hub.HubClient;
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
    private final HubClient hub;

    public PromptCatalog(HubClient hub) {
        this.hub = hub;
    }

    public PromptSequence sequenceFor(PromptSourceSpec spec) {
        List<String> prompts = loaded.computeIfAbsent(spec, this::load);
        return position -> position >= 0 && position < prompts.size()
                ? Optional.of(prompts.get(position)) : Optional.empty();
    }

    /**
     * Reads the source afresh (the file may have changed since the last look) exactly as a session would, and
     * returns its first {@code count} prompts: in play order when the order seed is known, else in file order
     * (a session without an order seed draws one when it starts).
     */
    public PromptPreview preview(PromptSourceSpec spec, boolean seedKnown, int count) {
        PromptFile file = read(spec);
        List<String> checked = ordered(spec, file.prompts());
        List<String> ordered = seedKnown ? checked : file.prompts();
        return new PromptPreview(ordered.size(), List.copyOf(ordered.subList(0, Math.min(count, ordered.size()))),
                file.textColumn(), seedKnown || spec.kind() == PromptSourceSpec.Kind.TYPED);
    }

    private List<String> load(PromptSourceSpec spec) {
        return ordered(spec, read(spec).prompts());
    }

    private PromptFile read(PromptSourceSpec spec) {
        return switch (spec.kind()) {
            case TYPED -> new PromptFile(spec.typed(), null);
            case LOCAL_FILE -> LocalFilePrompts.read(Path.of(spec.location()), spec.textColumn());
            case HF_DATASET -> HuggingFaceDatasetPrompts.read(hub, spec.location(), spec.revision(), spec.textColumn());
        };
    }

    private static List<String> ordered(PromptSourceSpec spec, List<String> prompts) {
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
