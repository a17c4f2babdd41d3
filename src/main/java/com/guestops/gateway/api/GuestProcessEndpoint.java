package com.guestops.gateway.api;

import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.error.GatewayMessages;
import com.guestops.gateway.error.VapiError;
import com.guestops.gateway.error.VapiException;
import com.guestops.gateway.terminate.TerminateCommand;
import com.guestops.gateway.terminate.TerminateService;
import com.guestops.gateway.terminate.TerminateTrace;
import io.vertx.ext.web.RoutingContext;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * What both flavours' resources share: parse and validate the request, run the use case, and render
 * the outcome in the flavour's shape. Runs on the event loop; nothing here blocks.
 */
@ApplicationScoped
public class GuestProcessEndpoint {

    private static final Logger LOG = Logger.getLogger(GuestProcessEndpoint.class);

    private final TerminateService service;
    private final RequestOutcomes outcomes;

    @Inject
    public GuestProcessEndpoint(TerminateService service, RequestOutcomes outcomes) {
        this.service = service;
        this.outcomes = outcomes;
    }

    public Uni<Response> delete(Flavour flavour, String vm, String pid, MultivaluedMap<String, String> query,
            HttpHeaders headers, RoutingContext routing, byte[] body) {
        String rawPath = routing.request().path();
        if (rawPath.indexOf(';') >= 0) {
            // JAX-RS strips ";matrix" parameters from path parameters, so "vm-1;x" would pass as "vm-1":
            // validate the segments exactly as sent instead
            String[] segments = rawPath.split("/", -1); // "", flavour, vcenter, vm, {vm}, guest, processes, {pid}
            if (segments.length == 8) {
                vm = URLDecoder.decode(segments[4], StandardCharsets.UTF_8);
                pid = URLDecoder.decode(segments[7], StandardCharsets.UTF_8);
            }
        }
        TerminateTrace trace = new TerminateTrace(RequestIds.of(routing), flavour.tag(), vm, pid);
        TerminateCommand command;
        try {
            command = TerminateRequestParser.parse(vm, pid, actions(flavour, query),
                    headers.getHeaderString(HttpHeaders.CONTENT_TYPE),
                    headers.getHeaderString(TerminateRequestParser.REQUEST_TIMEOUT_HEADER), body);
        } catch (VapiException invalid) {
            return Uni.createFrom().item(finish(flavour, trace, invalid));
        }
        trace.guestUser(command.credentials().userName().orElse(null));
        return service.terminate(command, trace)
                .map(ignored -> finish(flavour, trace, null))
                .onFailure().recoverWithItem(f -> finish(flavour, trace, f));
    }

    /** Every request ends here exactly once: count its outcome and render the answer. */
    private Response finish(Flavour flavour, TerminateTrace trace, Throwable failure) {
        outcomes.record(trace, failure);
        return failure == null ? success(flavour) : error(flavour, failure);
    }

    /** govmomi's client sends {@code ~action=delete}; both spellings count, every value is checked. */
    private static List<String> actions(Flavour flavour, MultivaluedMap<String, String> query) {
        List<String> values = new ArrayList<>(query.getOrDefault("action", List.of()));
        values.addAll(query.getOrDefault("~action", List.of()));
        return values;
    }

    private static Response success(Flavour flavour) {
        return flavour == Flavour.REST ? Response.ok().build() : Response.noContent().build();
    }

    static Response error(Flavour flavour, Throwable failure) {
        if (failure instanceof VapiException vapi) {
            return VapiErrorResponses.toResponse(flavour, vapi.error(), vapi.headers());
        }
        LOG.error("Unexpected failure handling a terminate request", failure);
        return VapiErrorResponses.toResponse(flavour, VapiError.of(ErrorType.ERROR, GatewayMessages.INTERNAL_ERROR,
                "The gateway failed to process the request."), Map.of());
    }
}
