package dev.espalier.session.api;

import dev.espalier.session.models.ModelPreview;
import dev.espalier.session.models.ModelPreviewException;
import dev.espalier.session.models.ModelPreviewer;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Lets the setup screen describe a model before a session is started with it. */
@Path("/models")
@Produces(MediaType.APPLICATION_JSON)
public class ModelResource {

    private final ModelPreviewer previewer;

    public ModelResource(ModelPreviewer previewer) {
        this.previewer = previewer;
    }

    @GET
    @Path("preview")
    @Operation(summary = "Architecture, size, context length and chat template of a local model directory or a "
            + "Hugging Face id, from its small files only")
    public ModelPreview preview(@QueryParam("model") String model) {
        return previewer.preview(model);
    }

    @ServerExceptionMapper
    public Response unreadableModel(ModelPreviewException e) {
        return ErrorMappers.error(e.missing() ? Response.Status.NOT_FOUND : Response.Status.BAD_REQUEST,
                e.getMessage(), "model");
    }
}
