package dev.espalier.rollout.app;

import dev.espalier.policy.model.SharedModels;
import dev.espalier.policy.text.TextTokenizer;
import dev.espalier.rollout.ask.CurrentModel;
import dev.espalier.rollout.ask.SessionLookup;
import dev.espalier.rollout.generation.ModelTurns;
import dev.espalier.rollout.policy.AdapterCache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.net.URI;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Wires "ask the current model": the same model, adapters and turns as the rollout worker. */
@ApplicationScoped
public class AskBeans {

    @Produces
    @ApplicationScoped
    ModelTurns turns() {
        return new ModelTurns();
    }

    @Produces
    @ApplicationScoped
    CurrentModel currentModel(ServedModel model, AdapterCache adapters, ModelTurns turns) {
        return new CurrentModel(SharedModels.get(model.dir()), TextTokenizer.load(model.dir()), adapters, turns);
    }

    @Produces
    @ApplicationScoped
    SessionLookup sessions(@ConfigProperty(name = "espalier.rollout.session-url") URI sessions) {
        return new SessionLookup(sessions);
    }
}
