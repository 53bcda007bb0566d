package dev.espalier.session.prompts;

import dev.espalier.hub.HubClient;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The Hugging Face hub client for datasets, configured like huggingface_hub (HF_ENDPOINT, HF_HOME, HF_TOKEN, …). */
public class HubClientProducer {
    @Produces
    @Singleton
    HubClient hub() {
        return HubClient.fromEnvironment();
    }
}
