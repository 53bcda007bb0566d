package dev.espalier.session.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.espalier.events.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(EmbeddedServices.class)
class SessionServiceConfigTest {

    @Test
    void channels_useTheTopicsDefinedInTheEventsModule() {
        var config = ConfigProvider.getConfig();
        assertEquals(Topics.SESSION_EVENTS, config.getValue("mp.messaging.outgoing.session-events-out.topic", String.class));
        assertEquals(Topics.ROLLOUTS, config.getValue("mp.messaging.incoming.rollouts.topic", String.class));
        assertEquals(Topics.TRAINING, config.getValue("mp.messaging.incoming.training.topic", String.class));
        assertEquals(Topics.SESSION_EVENTS, config.getValue("mp.messaging.incoming.live-session-events.topic", String.class));
        assertEquals(Topics.TOKENS, config.getValue("mp.messaging.incoming.live-tokens.topic", String.class));
    }
}
