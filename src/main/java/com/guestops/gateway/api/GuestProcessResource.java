package com.guestops.gateway.api;

import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

/** The modern {@code /api} flavour (vSphere 7.0 U2+): delete (204 on success) and get (200 with the process). */
@Path("/api")
public class GuestProcessResource {

    @Inject
    GuestProcessEndpoint endpoint;

    @POST
    @Path("/vcenter/vm/{vm}/guest/processes/{pid}")
    public Uni<Response> operate(@PathParam("vm") String vm, @PathParam("pid") String pid,
            @Context UriInfo uri, @Context HttpHeaders headers, RoutingContext routing) {
        return endpoint.handle(Flavour.API, vm, pid, uri.getQueryParameters(), headers, routing);
    }
}
