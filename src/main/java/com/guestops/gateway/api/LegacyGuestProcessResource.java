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

/** The legacy {@code /rest} flavour (vSphere 6.5+ style): delete (200 with an empty body on success) and get (200, the process inside {@code value}). */
@Path("/rest")
public class LegacyGuestProcessResource {

    @Inject
    GuestProcessEndpoint endpoint;

    @POST
    @Path("/vcenter/vm/{vm}/guest/processes/{pid}")
    public Uni<Response> operate(@PathParam("vm") String vm, @PathParam("pid") String pid,
            @Context UriInfo uri, @Context HttpHeaders headers, RoutingContext routing) {
        return endpoint.handle(Flavour.REST, vm, pid, uri.getQueryParameters(), headers, routing);
    }
}
