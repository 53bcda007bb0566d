package dev.espalier.session.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.espalier.events.SessionConfig;
import dev.espalier.session.domain.SessionRejection;
import dev.espalier.session.prompts.PromptSourceException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Refusals become clear JSON errors; in every case nothing was stored. */
public class ErrorMappers {

    @ServerExceptionMapper
    public Response notFound(SessionRejection.NotFound e) {
        return error(Response.Status.NOT_FOUND, e.getMessage(), null);
    }

    /** Sign-in is on and the request has no valid token (missing, expired, not signed by the issuer). */
    @ServerExceptionMapper({AuthenticationFailedException.class, UnauthorizedException.class})
    public Response unauthenticated(RuntimeException e) {
        return Response.fromResponse(error(Response.Status.UNAUTHORIZED, "sign in first: this deployment takes a "
                + "bearer token from its OpenID Connect issuer (missing, expired or not signed by it)", null))
                .header("WWW-Authenticate", "Bearer").build();
    }

    @ServerExceptionMapper
    public Response conflict(SessionRejection.Conflict e) {
        return error(Response.Status.CONFLICT, e.getMessage(), null);
    }

    @ServerExceptionMapper
    public Response versionConflict(SessionRejection.VersionConflict e) {
        return error(Response.Status.CONFLICT, e.getMessage(), "expectedVersion");
    }

    @ServerExceptionMapper
    public Response invalidArgument(SessionRejection.InvalidArgument e) {
        return error(Response.Status.BAD_REQUEST, e.getMessage(), e.argument());
    }

    @ServerExceptionMapper
    public Response promptTooLarge(SessionConfig.PromptTooLargeException e) {
        return error(Response.Status.REQUEST_ENTITY_TOO_LARGE, e.getMessage(), e.field());
    }

    @ServerExceptionMapper
    public Response invalidConfig(SessionConfig.InvalidConfigException e) {
        return error(Response.Status.BAD_REQUEST, e.getMessage(), e.field());
    }

    @ServerExceptionMapper
    public Response badPromptSource(PromptSourceException e) {
        return error(Response.Status.BAD_REQUEST, e.getMessage(), "prompts");
    }

    @ServerExceptionMapper
    public Response unreadableJson(JsonProcessingException e) {
        return error(Response.Status.BAD_REQUEST, "the request body is not valid JSON for this endpoint: "
                + e.getOriginalMessage(), fieldOf(e));
    }

    /** Quarkus maps these itself, with a body of its own shape; ours names the field as every other refusal does. */
    @ServerExceptionMapper
    public Response unboundJson(MismatchedInputException e) {
        return unreadableJson(e);
    }

    @ServerExceptionMapper
    public Response unmappableJson(JsonMappingException e) {
        return unreadableJson(e);
    }

    /**
     * What the framework refuses before a resource method runs (a body that does not parse or bind, an id that is not
     * a UUID, an unknown path or method, a media type the endpoint does not take) gets the same JSON body as ours.
     */
    @ServerExceptionMapper
    public Response framework(WebApplicationException e) {
        Throwable cause = e.getCause();
        while (cause != null && !(cause instanceof JsonProcessingException) && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        if (cause instanceof JsonProcessingException json) {
            return unreadableJson(json);
        }
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        String message = switch (status) {
            case 404 -> "no such resource (a session id must be a UUID)";
            case 405 -> "this method is not allowed here";
            case 406 -> "this endpoint cannot answer in the media type asked for";
            case 415 -> "this endpoint takes application/json";
            case 400 -> "the request could not be read: " + messageOf(e);
            default -> messageOf(e);
        };
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ApiError(status, message, null)).build();
    }

    private static String messageOf(Throwable e) {
        return e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** The JSON path of the field that did not bind ({@code sampling.temperature}, {@code prompts.typed[0]}). */
    private static String fieldOf(JsonProcessingException e) {
        if (!(e instanceof JsonMappingException mapping) || mapping.getPath().isEmpty()) {
            return null;
        }
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : mapping.getPath()) {
            if (ref.getFieldName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? null : path.toString();
    }

    static Response error(Response.Status status, String message, String argument) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ApiError(status.getStatusCode(), message, argument)).build();
    }
}
