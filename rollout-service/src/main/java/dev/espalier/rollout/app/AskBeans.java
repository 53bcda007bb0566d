package dev.espalier.rollout.app;

import dev.espalier.policy.model.CausalLm;
import dev.espalier.policy.model.DeviceMemory;
import dev.espalier.policy.model.SharedModels;
import dev.espalier.policy.text.TextTokenizer;
import dev.espalier.rollout.admission.Admission;
import dev.espalier.rollout.ask.CurrentModel;
import dev.espalier.rollout.ask.SessionLookup;
import dev.espalier.rollout.generation.ModelTurns;
import dev.espalier.rollout.policy.AdapterCache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.net.URI;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Wires "ask the current model" (the same model, adapters and turns as the rollout worker) and the admission check of
 * new settings against the served model.
 */
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
    Admission admission(ServedModel model) {
        CausalLm lm = SharedModels.get(model.dir());
        return new Admission(lm.config(), TextTokenizer.load(model.dir()),
                () -> DeviceMemory.forWork(lm.manager().getDevice(), lm.weightBytes()));
    }

    @Produces
    @ApplicationScoped
    SessionLookup sessions(@ConfigProperty(name = "espalier.rollout.session-url") URI sessions) {
        return new SessionLookup(sessions);
    }
}
