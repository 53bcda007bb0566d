package dev.espalier.rollout.api;

import dev.espalier.rollout.admission.Admission;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/**
 * {@code POST /admission}: the session-service asks, before it accepts a session or an edit, whether its prompts and
 * sizes fit the served model (context and memory). The answer lists refusals by request field; nothing is stored.
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class AdmissionResource {

    private final Admission admission;

    public AdmissionResource(Admission admission) {
        this.admission = admission;
    }

    @POST
    @Path("admission")
    public Response check(Admission.Request request) {
        if (request == null || request.format() == null || request.prompts() == null || request.groupSize() < 1
                || request.maxNewTokens() < 1) {
            return Response.status(Response.Status.BAD_REQUEST).entity(Map.of("status", 400, "error",
                    "format, prompts, groupSize >= 1 and maxNewTokens >= 1 are required")).build();
        }
        return Response.ok(admission.check(request)).build();
    }
}
