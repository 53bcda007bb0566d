package dev.espalier.rollout.api;

import dev.espalier.events.SessionConfig;
import dev.espalier.rollout.ask.Answer;
import dev.espalier.rollout.ask.CurrentModel;
import dev.espalier.rollout.ask.SessionLookup;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.UUID;

/**
 * "Ask the current model": one completion of a free question with the policy at the session's HEAD. Nothing is
 * stored or published; the game does not see it. The asker's credentials go to the session-service with the look-up,
 * so where people sign in only the session's owner can ask.
 * <p>
 * Rooted at "/" like the trainer-service's resources: in the engine-service both share one server, and Quarkus REST
 * picks the resource class by its own path first, so a class at {@code /sessions} would hide the trainer's
 * {@code /sessions/{id}/policies/{v}/replay}; classes with the same path are matched together.
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class AskResource {

    /** {@code maxNewTokens} left out means the session's own limit, which is also the most allowed. */
    public record Question(String prompt, Integer maxNewTokens) {
    }

    private final CurrentModel model;
    private final SessionLookup sessions;

    public AskResource(CurrentModel model, SessionLookup sessions) {
        this.model = model;
        this.sessions = sessions;
    }

    @POST
    @Path("sessions/{id}/ask")
    public Response ask(@PathParam("id") UUID id, Question question,
                        @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        if (question == null || question.prompt() == null || question.prompt().isBlank()) {
            return refuse(Response.Status.BAD_REQUEST, "prompt must not be blank", "prompt");
        }
        if (question.prompt().length() > SessionConfig.MAX_PROMPT_CHARS) {
            return refuse(Response.Status.REQUEST_ENTITY_TOO_LARGE, "prompt is " + question.prompt().length()
                    + " characters, more than " + SessionConfig.MAX_PROMPT_CHARS, "prompt");
        }
        SessionLookup.AtHead session;
        try {
            session = sessions.atHead(id, authorization);
        } catch (NoSuchElementException e) {
            return refuse(Response.Status.NOT_FOUND, e.getMessage(), null);
        } catch (SecurityException e) {
            return refuse(Response.Status.UNAUTHORIZED, e.getMessage(), null);
        } catch (IOException e) {
            return refuse(Response.Status.SERVICE_UNAVAILABLE, "cannot read the session: " + e.getMessage(), null);
        }
        int limit = session.config().sampling().maxNewTokens();
        int maxNewTokens = question.maxNewTokens() == null ? limit : question.maxNewTokens();
        if (maxNewTokens < 1 || maxNewTokens > limit) {
            return refuse(Response.Status.BAD_REQUEST, "maxNewTokens must be between 1 and the session's "
                    + limit + ", was " + maxNewTokens, "maxNewTokens");
        }
        Answer answer = model.ask(id, session.config(), session.policyVersion(), question.prompt(), maxNewTokens);
        return Response.ok(answer).build();
    }

    private static Response refuse(Response.Status status, String message, String argument) {
        Map<String, Object> body = argument == null
                ? Map.of("status", status.getStatusCode(), "error", message)
                : Map.of("status", status.getStatusCode(), "error", message, "argument", argument);
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
    }
}
