package dev.espalier.trainer.api;

import dev.espalier.policy.model.ModelLocator;
import dev.espalier.trainer.export.MergedModelExport;
import dev.espalier.trainer.journal.TrainerStore;
import io.agroal.api.AgroalDataSource;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.util.NoSuchElementException;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** A policy version as a full Hugging Face model (base + adapter merged), for use outside Espalier. */
@Path("/merged")
public class MergedModelResource {

    private final MergedModelExport export;

    public MergedModelResource(AgroalDataSource db, ModelLocator models,
                               @ConfigProperty(name = "espalier.trainer.work-dir") java.nio.file.Path workDir) {
        this.export = new MergedModelExport(new TrainerStore(db), models, workDir);
    }

    /** A zip of config.json, model.safetensors (float32, merged) and the base model's tokenizer files. */
    @GET
    @Path("{sessionId}/{version}")
    @Produces("application/zip")
    public Response merged(@PathParam("sessionId") UUID sessionId, @PathParam("version") long version) {
        MergedModelExport.Merge merge;
        try {
            merge = export.prepare(sessionId, version);
        } catch (NoSuchElementException e) {
            throw new NotFoundException(e.getMessage());
        }
        StreamingOutput body = merge::writeZip;
        return Response.ok(body).header("Content-Disposition",
                "attachment; filename=\"merged-" + sessionId + "-v" + version + ".zip\"").build();
    }
}
