package dev.espalier.ui.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.espalier.events.SessionEvent;
import dev.espalier.events.TokenDelta;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class LiveSubscriptionTest {

    private final List<Object> received = new ArrayList<>();
    private final LiveListener listener = new LiveListener() {
        @Override
        public void state(SessionSnapshot state) {
            received.add(state);
        }

        @Override
        public void event(SessionEvent event) {
            received.add(event);
        }

        @Override
        public void token(TokenDelta delta) {
            received.add(delta);
        }

        @Override
        public void ended(Throwable failure) {
            received.add("ended");
        }
    };

    @Test
    void dispatch_readsNamedEvents_joinsDataLines_andSkipsComments() {
        UUID session = UUID.randomUUID();
        UUID prompt = UUID.randomUUID();
        List<String> lines = List.of(
                ": keep-alive", "",
                "event: token",
                "data: {\"sessionId\":\"" + session + "\",\"promptIssuedId\":\"" + prompt + "\",",
                "data: \"rolloutIndex\":2,\"seq\":7,\"textDelta\":\"<b>hi\",\"done\":false}", "",
                "event: something-new", "data: {}", "");
        AtomicBoolean closed = new AtomicBoolean();

        IOException end = assertThrows(IOException.class,
                () -> LiveSubscription.dispatch(lines.iterator(), listener, closed));

        assertEquals("session-service closed the live stream", end.getMessage());
        assertEquals(List.of(new TokenDelta(session, prompt, 2, 7, "<b>hi", false)), received);
    }
}
