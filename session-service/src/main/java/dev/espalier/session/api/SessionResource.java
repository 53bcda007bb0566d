package dev.espalier.session.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.espalier.events.EventSerde;
import dev.espalier.session.app.Caller;
import dev.espalier.session.app.SessionService;
import dev.espalier.session.domain.SessionCommand;
import dev.espalier.session.domain.SessionRejection;
import dev.espalier.session.domain.SessionState;
import dev.espalier.session.messaging.LiveFeed;
import dev.espalier.session.projection.Projections;
import dev.espalier.session.projection.SessionSummary;
import dev.espalier.session.projection.Timeline;
import dev.espalier.session.store.EventStore;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** The session API: set up, play, move around the timeline, audit and follow live. */
@Path("/sessions")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class SessionResource {

    public static final String NDJSON = "application/x-ndjson";

    private static final SecureRandom SEEDS = new SecureRandom();

    private final SessionService sessions;
    private final Projections projections;
    private final EventStore store;
    private final LiveFeed live;
    private final ObjectMapper json;
    private final SecurityIdentity identity;

    public SessionResource(SessionService sessions, Projections projections, EventStore store, LiveFeed live,
                           ObjectMapper json, SecurityIdentity identity) {
        this.identity = identity;
        this.json = json;
        this.sessions = sessions;
        this.projections = projections;
        this.store = store;
        this.live = live;
    }

    @POST
    @Operation(summary = "Set up a session and issue its first prompt")
    public Response create(CreateSessionRequest request, @Context UriInfo uri) {
        if (request == null) {
            throw new SessionRejection.InvalidArgument("body", "is required");
        }
        SessionState state = sessions.create(request.toConfig(SEEDS::nextLong), caller());
        return Response.created(uri.getAbsolutePathBuilder().path(state.sessionId().toString()).build())
                .entity(view(state)).build();
    }

    @GET
    @Operation(summary = "Every session, most recently active first")
    public List<SessionSummary> list() {
        Caller caller = caller();
        return projections.sessions().stream().filter(s -> caller.maySee(s.owner())).toList();
    }

    @GET
    @Path("{id}")
    @Operation(summary = "The session's state, open prompt and rollouts when ready")
    public SessionView get(@PathParam("id") UUID id) {
        return view(existing(id));
    }

    @POST
    @Path("{id}/choice")
    @Operation(summary = "Pick a rollout by index, or \"none\"")
    public SessionView choose(@PathParam("id") UUID id, Requests.Choice body) {
        if (body == null) {
            throw new SessionRejection.InvalidArgument("choice", "is required");
        }
        return command(id, new SessionCommand.MakeChoice(body.expectedVersion(), body.chosenIndex(), body.comment(),
                body.rolloutsReadyId()));
    }

    @POST
    @Path("{id}/skip")
    @Operation(summary = "Skip the open prompt; the next one is played in its place")
    @Consumes(MediaType.WILDCARD)
    public SessionView skip(@PathParam("id") UUID id, String body) throws JsonProcessingException {
        return command(id, new SessionCommand.SkipPrompt(expectedVersion(body)));
    }

    @POST
    @Path("{id}/retry")
    @Operation(summary = "Try the failed rollouts of the open prompt, or the failed step of the last choice, again")
    @Consumes(MediaType.WILDCARD)
    public SessionView retry(@PathParam("id") UUID id, String body) throws JsonProcessingException {
        return command(id, new SessionCommand.Retry(expectedVersion(body)));
    }

    @POST
    @Path("{id}/prompt")
    @Operation(summary = "Replace the open prompt's text (or play a typed prompt when none is open)")
    public SessionView editPrompt(@PathParam("id") UUID id, Requests.EditPrompt body) {
        if (body == null) {
            throw new SessionRejection.InvalidArgument("text", "is required");
        }
        return command(id, new SessionCommand.EditPrompt(body.expectedVersion(), body.text()));
    }

    @POST
    @Path("{id}/undo")
    @Operation(summary = "Move HEAD to the parent node")
    @Consumes(MediaType.WILDCARD)
    public SessionView undo(@PathParam("id") UUID id, String body) throws JsonProcessingException {
        return command(id, new SessionCommand.Undo(expectedVersion(body)));
    }

    @POST
    @Path("{id}/redo")
    @Operation(summary = "Move HEAD back to the child an undo left")
    @Consumes(MediaType.WILDCARD)
    public SessionView redo(@PathParam("id") UUID id, String body) throws JsonProcessingException {
        return command(id, new SessionCommand.Redo(expectedVersion(body)));
    }

    @POST
    @Path("{id}/checkout")
    @Operation(summary = "Move HEAD to any played node")
    public SessionView checkout(@PathParam("id") UUID id, Requests.Checkout body) {
        if (body == null) {
            throw new SessionRejection.InvalidArgument("nodeId", "is required");
        }
        return command(id, new SessionCommand.Checkout(body.expectedVersion(), body.nodeId()));
    }

    @GET
    @Path("{id}/timeline")
    @Operation(summary = "The tree of played steps, branches and HEAD")
    public Timeline timeline(@PathParam("id") UUID id) {
        existing(id);
        return projections.timeline(id).orElseThrow(() -> notFound(id));
    }

    @GET
    @Path("{id}/events")
    @Produces(NDJSON)
    @Operation(summary = "The whole audit history: every stored event, one JSON object per line, in order")
    public Response audit(@PathParam("id") UUID id) {
        existing(id);
        StreamingOutput body = out -> {
            Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
            try {
                store.forEach(id, stored -> {
                    try {
                        writer.write(EventSerde.toJson(stored.event()));
                        writer.write('\n');
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            writer.flush();
        };
        return Response.ok(body, NDJSON).build();
    }

    @GET
    @Path("{id}/stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "Follow the session live: 'state' once, then 'event' per stored event and 'token' per "
            + "token delta")
    public void stream(@PathParam("id") UUID id, @Context SseEventSink sink, @Context Sse sse) {
        SessionView view = view(existing(id));
        AtomicReference<AutoCloseable> subscription = new AtomicReference<>();
        subscription.set(live.follow(id, item -> send(sink, sse.newEventBuilder().name(item.kind())
                .data(item.json()).build(), subscription)));
        send(sink, sse.newEventBuilder().name("state").mediaType(MediaType.APPLICATION_JSON_TYPE)
                .data(SessionView.class, view).build(), subscription);
    }

    private static void send(SseEventSink sink, OutboundSseEvent event, AtomicReference<AutoCloseable> subscription) {
        if (sink.isClosed()) {
            unsubscribe(subscription);
            return;
        }
        sink.send(event).whenComplete((ok, failure) -> {
            if (failure != null) {
                unsubscribe(subscription);
                sink.close();
            }
        });
    }

    private static void unsubscribe(AtomicReference<AutoCloseable> subscription) {
        AutoCloseable s = subscription.getAndSet(null);
        if (s != null) {
            try {
                s.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private SessionView command(UUID id, SessionCommand command) {
        return view(sessions.handle(id, command, caller()));
    }

    private SessionView view(SessionState state) {
        return SessionView.of(state, projections.policyHistory(state.sessionId()));
    }

    private SessionState existing(UUID id) {
        SessionState state = sessions.visible(id, caller());
        if (!state.exists()) {
            throw notFound(id);
        }
        return state;
    }

    /** The signed-in person where OpenID Connect is on (the token's subject), else the deployment's one user. */
    private Caller caller() {
        return identity.isAnonymous() ? Caller.LOCAL : Caller.signedIn(identity.getPrincipal().getName());
    }

    private static SessionRejection.NotFound notFound(UUID id) {
        return new SessionRejection.NotFound("no session " + id);
    }

    /** Bodies of skip, undo and redo are optional: a bare POST means "whatever version the session is at". */
    private Long expectedVersion(String body) throws JsonProcessingException {
        return body == null || body.isBlank() ? null : json.readValue(body, Requests.Version.class).expectedVersion();
    }
}
