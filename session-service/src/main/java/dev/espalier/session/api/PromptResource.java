package dev.espalier.session.api;

import dev.espalier.events.SessionConfig.PromptSourceSpec;
import dev.espalier.session.domain.SessionRejection;
import dev.espalier.session.prompts.PromptCatalog;
import dev.espalier.session.prompts.PromptPreview;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** Lets the setup screen show what a prompt source holds before a session is started with it. */
@Path("/prompts")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class PromptResource {

    static final int PREVIEW_PROMPTS = 5;

    private final PromptCatalog catalog;

    public PromptResource(PromptCatalog catalog) {
        this.catalog = catalog;
    }

    @POST
    @Path("preview")
    @Operation(summary = "The first prompts of a prompt source (same body as a session's \"prompts\"), its size "
            + "and the text column read")
    public PromptPreview preview(CreateSessionRequest.Prompts prompts) {
        if (prompts == null) {
            throw new SessionRejection.InvalidArgument("prompts", "is required");
        }
        boolean seedKnown = prompts.orderSeed() != null;
        PromptSourceSpec spec = new PromptSourceSpec(prompts.kind(), prompts.location(), prompts.revision(),
                prompts.textColumn(), prompts.typed(), seedKnown ? prompts.orderSeed() : 0L);
        return catalog.preview(spec, seedKnown, PREVIEW_PROMPTS);
    }
}
