package dev.espalier.trainer.api;

import dev.espalier.trainer.journal.StoredAdapter;
import dev.espalier.trainer.training.Rebuilt;
import dev.espalier.trainer.training.SessionTrainer;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.UUID;

/** Adapters of every policy version, for the rollout-service and for export; and a replay check per version. */
@Path("/")
public class AdapterResource {

    /** The adapter's identity ({@code LoraAdapter.sha256()}), which the downloader checks after loading. */
    public static final String SHA256_HEADER = "Espalier-Adapter-Sha256";

    private final SessionTrainer trainer;

    public AdapterResource(SessionTrainer trainer) {
        this.trainer = trainer;
    }

    /** The PEFT adapter of a version as a zip (adapter_model.safetensors, adapter_config.json). */
    @GET
    @Path("adapters/{sessionId}/{version}")
    @Produces("application/zip")
    public Response adapter(@PathParam("sessionId") UUID sessionId, @PathParam("version") long version) {
        StoredAdapter adapter = trainer.adapter(sessionId, version).orElseThrow(() -> new NotFoundException(
                "session " + sessionId + " has no stored adapter of policy version " + version));
        return Response.ok(adapter.zip()).header(SHA256_HEADER, adapter.sha256()).build();
    }

    /** Rebuilds a version from its nearest checkpoint plus replay and reports it; fails if it differs from live. */
    @POST
    @Path("sessions/{sessionId}/policies/{version}/replay")
    @Produces(MediaType.APPLICATION_JSON)
    public Rebuilt replay(@PathParam("sessionId") UUID sessionId, @PathParam("version") long version) {
        return trainer.verifyReplay(sessionId, version);
    }
}
