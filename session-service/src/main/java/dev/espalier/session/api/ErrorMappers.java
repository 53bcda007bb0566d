package dev.espalier.session.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.espalier.events.SessionConfig;
import dev.espalier.session.domain.SessionRejection;
import dev.espalier.session.prompts.PromptSourceException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Refusals become clear JSON errors; in every case nothing was stored. */
public class ErrorMappers {

    @ServerExceptionMapper
    public Response notFound(SessionRejection.NotFound e) {
        return error(Response.Status.NOT_FOUND, e.getMessage(), null);
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
                + e.getOriginalMessage(), null);
    }

    static Response error(Response.Status status, String message, String argument) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ApiError(status.getStatusCode(), message, argument)).build();
    }
}
