package dev.espalier.e2e;

import dev.espalier.events.EventSerde;
import dev.espalier.events.SessionEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A session followed over its server-sent events ({@code GET /sessions/{id}/stream}), as the UI follows it: the
 * stored events it pushes are queued with the moment they arrived here; token deltas and the state are read and
 * dropped.
 */
final class LiveStream implements AutoCloseable {

    /** A stored event as the stream pushed it. */
    record Pushed(Instant arrived, SessionEvent event) {
    }

    private final BlockingQueue<Pushed> pushed = new LinkedBlockingQueue<>();
    private final InputStream body;
    private final Thread reader;

    private LiveStream(InputStream body) {
        this.body = body;
        this.reader = Thread.ofPlatform().name("live-stream").daemon().start(this::read);
    }

    static LiveStream follow(URI stream) {
        try {
            HttpResponse<InputStream> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(stream)
                    .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                throw new AssertionError(stream + " answered " + response.statusCode());
            }
            return new LiveStream(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(stream.toString(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Forgets what was pushed so far. */
    void clear() {
        pushed.clear();
    }

    /** Waits for the next pushed event of {@code type}, passing over the others. */
    Pushed next(Class<? extends SessionEvent> type, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Pushed p = pushed.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (p == null) {
                throw new AssertionError("no " + type.getSimpleName() + " pushed within " + timeout);
            }
            if (type.isInstance(p.event())) {
                return p;
            }
        }
    }

    private void read() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String name = null;
            StringBuilder data = new StringBuilder();
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.isEmpty()) {
                    if ("event".equals(name)) {
                        pushed.add(new Pushed(Instant.now(), EventSerde.fromJson(data.toString())));
                    }
                    name = null;
                    data.setLength(0);
                } else if (line.startsWith("event:")) {
                    name = line.substring("event:".length()).strip();
                } else if (line.startsWith("data:")) {
                    data.append(line.substring("data:".length()).strip());
                }
            }
        } catch (IOException e) {
            // Closed by close(), or the service went away: nothing more is pushed.
        }
    }

    @Override
    public void close() throws IOException {
        body.close();
        reader.interrupt();
    }
}
