package dev.espalier.session.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.espalier.events.EventSerde;
import dev.espalier.events.SessionEvent;
import dev.espalier.events.TokenDelta;
import dev.espalier.events.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(EmbeddedServices.class)
class LiveStreamTest extends SessionFixture {

    @TestHTTPResource("/sessions")
    URI sessions;

    /** One server-sent event: its name and data. */
    record Sse(String name, String data) {
    }

    @Test
    void stream_forwardsTokenDeltasAndStoredEvents_ofItsSessionOnly() throws Exception {
        UUID id = createSession(List.of("stream me"));
        UUID other = createSession(List.of("not me"));
        SessionEvent.PromptIssued prompt = last(id, SessionEvent.PromptIssued.class);
        List<Sse> received = new CopyOnWriteArrayList<>();
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(URI.create(sessions + "/" + id + "/stream"))
                .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        Thread reader = Thread.ofVirtual().start(() -> read(response.body(), received));
        try {
            await().atMost(WAIT).until(() -> received.stream().anyMatch(e -> e.name().equals("state")));

            // The live consumer joins its partitions asynchronously: send deltas until one comes through. Each
            // follows an unreadable record on the same partition, which must not stop the live view.
            long[] seq = {0};
            await().atMost(WAIT).until(() -> {
                workers.send(Topics.TOKENS, id.toString(), "{not a delta");
                workers.send(new TokenDelta(other, UUID.randomUUID(), 0, seq[0], "other", false));
                workers.send(new TokenDelta(id, prompt.eventId(), 2, seq[0]++, " Hel", false));
                return received.stream().anyMatch(e -> e.name().equals("token"));
            });
            TokenDelta delta = EventSerde.tokenDeltaFromJson(received.stream()
                    .filter(e -> e.name().equals("token")).findFirst().orElseThrow().data());
            assertEquals(new TokenDelta(id, prompt.eventId(), 2, delta.seq(), " Hel", false), delta);

            SessionEvent.RolloutsReady ready = rolloutsArrive(id);
            await().atMost(WAIT).until(() -> received.stream().filter(e -> e.name().equals("event"))
                    .map(e -> EventSerde.fromJson(e.data())).anyMatch(ready::equals));
            assertTrue(received.stream().filter(e -> !e.name().equals("state")).noneMatch(e -> e.data().contains(other.toString())));
        } finally {
            response.body().close();
            reader.interrupt();
        }
    }

    @Test
    void stream_openedMidGeneration_firstGetsTheTextWrittenBeforeIt_andNothingOnceTheRolloutsAreIn()
            throws Exception {
        UUID id = createSession(List.of("join me late"));
        SessionEvent.PromptIssued prompt = last(id, SessionEvent.PromptIssued.class);
        List<Sse> early = new CopyOnWriteArrayList<>();
        try (Stream first = open(id, early)) {
            long[] seq = {0};
            await().atMost(WAIT).until(() -> {
                workers.send(new TokenDelta(id, prompt.eventId(), 1, seq[0]++, "Once", false));
                return tokens(early).size() > 0;
            });
            workers.send(new TokenDelta(id, prompt.eventId(), TokenDelta.CONTROL, 0, " upon", false));
            await().atMost(WAIT).until(() -> tokens(early).size() == seq[0] + 1);

            List<Sse> late = new CopyOnWriteArrayList<>();
            try (Stream second = open(id, late)) {
                workers.send(new TokenDelta(id, prompt.eventId(), 1, seq[0], " a time", false));
                await().atMost(WAIT).until(() -> tokens(late).size() == seq[0] + 2);
                assertEquals(tokens(early), tokens(late), "what came before, then what comes live, once each");
            }

            SessionEvent.RolloutsReady ready = rolloutsArrive(id);
            await().atMost(WAIT).until(() -> early.stream().filter(e -> e.name().equals("event"))
                    .map(e -> EventSerde.fromJson(e.data())).anyMatch(ready::equals));
            List<Sse> after = new CopyOnWriteArrayList<>();
            try (Stream third = open(id, after)) {
                await().atMost(WAIT).until(() -> after.stream().anyMatch(e -> e.name().equals("state")));
                assertEquals(List.of(), tokens(after), "the whole text is in the state now; no deltas replayed");
            }
        }
    }

    private static List<TokenDelta> tokens(List<Sse> received) {
        return received.stream().filter(e -> e.name().equals("token"))
                .map(e -> EventSerde.tokenDeltaFromJson(e.data())).toList();
    }

    /** An open stream and the thread reading it into a list. */
    private record Stream(HttpResponse<InputStream> response, Thread reader) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            response.body().close();
            reader.interrupt();
        }
    }

    private Stream open(UUID id, List<Sse> into) throws Exception {
        HttpResponse<InputStream> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(sessions + "/" + id + "/stream"))
                        .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        return new Stream(response, Thread.ofVirtual().start(() -> read(response.body(), into)));
    }

    @Test
    void stream_ofAnUnknownSession_is404() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(sessions + "/" + UUID.randomUUID() + "/stream")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(404, response.statusCode());
    }

    private static void read(InputStream body, List<Sse> received) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String name = "message";
            StringBuilder data = new StringBuilder();
            for (String line; (line = in.readLine()) != null; ) {
                if (line.isEmpty()) {
                    if (!data.isEmpty()) {
                        received.add(new Sse(name, data.toString()));
                    }
                    name = "message";
                    data.setLength(0);
                } else if (line.startsWith("event:")) {
                    name = line.substring(6).strip();
                } else if (line.startsWith("data:")) {
                    data.append(line.substring(5).strip());
                }
            }
        } catch (Exception e) {
            // the test closed the stream
        }
    }
}
