package com.guestops.gateway.api;

import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.error.GatewayMessages;
import com.guestops.gateway.error.VapiError;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Errors raised by the REST layer before a resource method runs (unknown path, wrong method, body
 * unreadable) answer in the vAPI shape of the path's flavour, never with an HTML page or a stack trace.
 */
public class RequestErrorMappers {

    @ServerExceptionMapper
    public Response notFound(NotFoundException e, HttpServerRequest request) {
        return operationNotFound(request);
    }

    @ServerExceptionMapper
    public Response notAllowed(NotAllowedException e, HttpServerRequest request) {
        return operationNotFound(request);
    }

    @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER + 100)
    public Response otherRequestError(WebApplicationException e, HttpServerRequest request) {
        int status = e.getResponse().getStatus();
        Flavour flavour = Flavour.ofPath(request.path());
        if (status == 413) {
            return VapiErrorResponses.toResponse(flavour, TerminateRequestParser.invalid("body.too_large",
                    "The request body must not be larger than 65536 bytes.", "body").error(), Map.of());
        }
        ErrorType type = status < 500 ? ErrorType.INVALID_ARGUMENT : ErrorType.ERROR;
        String id = status < 500 ? GatewayMessages.VALIDATION + "request.invalid" : GatewayMessages.INTERNAL_ERROR;
        return VapiErrorResponses.toResponse(flavour,
                VapiError.of(type, id, "The request could not be processed (HTTP " + status + ")."), Map.of());
    }

    private static Response operationNotFound(HttpServerRequest request) {
        return VapiErrorResponses.toResponse(Flavour.ofPath(request.path()), VapiError.of(
                ErrorType.OPERATION_NOT_FOUND, GatewayMessages.OPERATION_NOT_FOUND,
                "No operation is served at " + request.method() + " on this path.", request.method().name()), Map.of());
    }
}
