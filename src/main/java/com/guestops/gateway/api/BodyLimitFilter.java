package com.guestops.gateway.api;

import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.error.GatewayMessages;
import com.guestops.gateway.error.VapiError;
import com.guestops.gateway.error.VapiException;
import com.guestops.gateway.terminate.TerminateTrace;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * Vert.x routes in front of the operation's ({@link OperationRoutes}), so that what the operation never sees
 * still gets a vAPI-shaped answer (a body without a declared length is read, with the same cap, by
 * {@link RequestBody}):
 * <ul>
 * <li>a declared {@code Content-Length} over 64 KiB is refused before the body is read
 *     (400 {@code invalid_argument}, instead of the server's bare 413);</li>
 * <li>any failure of a route on the flavour's paths (including the body cap) is rendered in
 *     the flavour's shape, never as the server's default error page or a stack trace.</li>
 * </ul>
 * Every refusal here is counted and audited like any other outcome.
 */
@ApplicationScoped
public class BodyLimitFilter {

    private static final Logger LOG = Logger.getLogger(BodyLimitFilter.class);

    @Inject
    RequestOutcomes outcomes;

    /** Like {@link RequestIds}' route: no path, the flavour's prefix checked here (no path parameter decoded per request). */
    void register(@Observes Router router) {
        router.route().order(-1000).handler(this::checkDeclaredLength).failureHandler(this::failed);
    }

    private void checkDeclaredLength(RoutingContext ctx) {
        Flavour flavour = Flavour.under(ctx.normalizedPath());
        if (flavour == null) {
            ctx.next();
            return;
        }
        String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null && tooLarge(length)) {
            refuse(ctx, flavour, RequestBody.tooLarge(ctx.request()), true);
            return;
        }
        ctx.next();
    }

    private static boolean isHttp1(RoutingContext ctx) {
        return ctx.request().version() == HttpVersion.HTTP_1_1 || ctx.request().version() == HttpVersion.HTTP_1_0;
    }

    private void failed(RoutingContext ctx) {
        Flavour flavour = Flavour.under(ctx.normalizedPath());
        if (flavour == null || ctx.response().headWritten()) {
            ctx.next();
            return;
        }
        if (ctx.statusCode() == 413) {
            refuse(ctx, flavour, RequestBody.tooLarge(ctx.request()), true);
        } else if (ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
            refuse(ctx, flavour, TerminateRequestParser.invalid("request.unreadable",
                    "The request could not be read.", "request"), true);
        } else {
            LOG.errorf(ctx.failure(), "Request %s failed before reaching the operation", RequestIds.of(ctx));
            refuse(ctx, flavour, new VapiException(VapiError.of(ErrorType.ERROR, GatewayMessages.INTERNAL_ERROR,
                    "The gateway failed to process the request."), com.guestops.gateway.error.ErrorSource.GATEWAY), false);
        }
    }

    private void refuse(RoutingContext ctx, Flavour flavour, VapiException refusal, boolean closeConnection) {
        // a refused request still counts, and is audited, exactly once
        OperationPath path = OperationPath.of(ctx.request().uri());
        outcomes.record(new TerminateTrace(RequestIds.of(ctx), flavour.tag(), path.vm(), path.pid()), refusal);
        var response = ctx.response().setStatusCode(refusal.type().httpStatus())
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
        refusal.headers().forEach(response::putHeader);
        if (closeConnection && isHttp1(ctx)) {
            // an unread body may still be on the wire. HTTP/2 forbids connection headers (the stream would be
            // reset instead of answered); there the stream ends with the answer and the connection lives on
            response.putHeader(HttpHeaders.CONNECTION, "close");
        }
        response.end(Json.encode(VapiErrorResponses.body(flavour, refusal.error())));
    }

    private static boolean tooLarge(String length) {
        try {
            return Long.parseLong(length.trim()) > TerminateRequestParser.MAX_BODY_BYTES;
        } catch (NumberFormatException e) {
            return false; // the HTTP codec rejects a malformed length itself
        }
    }
}
