package dev.espalier.ui.client;

import dev.espalier.events.EventSerde;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * One open server-sent-events stream from session-service, read on a virtual thread of its own. Events are
 * dispatched by name: {@code state} (the session view), {@code event} (a stored event), {@code token} (a delta).
 */
public final class LiveSubscription implements AutoCloseable {

    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicReference<Stream<String>> lines = new AtomicReference<>();
    private Thread reader;

    private LiveSubscription() {
    }

    static LiveSubscription open(HttpClient http, HttpRequest request, LiveListener listener) {
        LiveSubscription subscription = new LiveSubscription();
        subscription.reader = Thread.ofVirtual().name("sse " + request.uri()).start(() -> {
            Throwable failure = null;
            try {
                HttpResponse<Stream<String>> response = http.send(request, HttpResponse.BodyHandlers.ofLines());
                subscription.lines.set(response.body());
                if (response.statusCode() != 200) {
                    throw SessionClient.refusal(response.statusCode(), String.join("\n", response.body().toList()));
                }
                dispatch(response.body().iterator(), listener, subscription.closed);
            } catch (IOException | InterruptedException | RuntimeException e) {
                failure = subscription.closed.get() ? null : e;
            }
            listener.ended(failure);
        });
        return subscription;
    }

    /** SSE framing: {@code event:} and {@code data:} lines, an empty line ends one event. */
    static void dispatch(Iterator<String> lines, LiveListener listener, AtomicBoolean closed) throws IOException {
        String name = "message";
        StringBuilder data = new StringBuilder();
        while (!closed.get() && lines.hasNext()) {
            String line = lines.next();
            if (line.isEmpty()) {
                if (!data.isEmpty()) {
                    deliver(name, data.toString(), listener);
                }
                name = "message";
                data.setLength(0);
            } else if (line.startsWith("event:")) {
                name = line.substring(6).strip();
            } else if (line.startsWith("data:")) {
                if (!data.isEmpty()) {
                    data.append('\n');
                }
                data.append(line.startsWith("data: ") ? line.substring(6) : line.substring(5));
            }
        }
        if (!closed.get()) {
            throw new IOException("session-service closed the live stream");
        }
    }

    private static void deliver(String name, String data, LiveListener listener) throws IOException {
        switch (name) {
            case "state" -> listener.state(SessionClient.JSON.readValue(data, SessionSnapshot.class));
            case "event" -> listener.event(EventSerde.fromJson(data));
            case "token" -> listener.token(EventSerde.tokenDeltaFromJson(data));
            default -> {
                // comments and keep-alives carry nothing to show
            }
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            Stream<String> open = lines.get();
            if (open != null) {
                open.close();
            }
            reader.interrupt();
        }
    }
}
