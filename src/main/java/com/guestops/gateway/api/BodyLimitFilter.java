package com.guestops.gateway.api;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import com.guestops.gateway.error.VapiException;
import com.guestops.gateway.terminate.TerminateTrace;

/**
 * Refuses a terminate request whose declared {@code Content-Length} is over 64 KiB before its body is
 * read, with a vAPI-shaped {@code invalid_argument} instead of the server's bare 413. Bodies sent
 * without a length are capped by {@code quarkus.http.limits.max-body-size} and answered by
 * {@link RequestErrorMappers}.
 */
@ApplicationScoped
public class BodyLimitFilter {

    @Inject
    RequestOutcomes outcomes;

    private static final BodyHandler CHUNKED_BODY = BodyHandler.create(false)
            .setBodyLimit(TerminateRequestParser.MAX_BODY_BYTES);

    void register(@Observes Router router) {
        for (Flavour flavour : Flavour.values()) {
            String path = "/" + flavour.tag() + "/*";
            router.route(path).order(-1000).handler(ctx -> check(ctx, flavour));
            // a body without a declared length is read here, counted, and failed with 413 past the limit
            router.route(path).order(-999).handler(ctx -> {
                if (ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH) == null) {
                    CHUNKED_BODY.handle(ctx);
                } else {
                    ctx.next();
                }
            }).failureHandler(ctx -> failed(ctx, flavour));
        }
    }

    /** A body without a declared length that overflows the server's cap fails the route with 413. */
    private void failed(io.vertx.ext.web.RoutingContext ctx, Flavour flavour) {
        if (ctx.statusCode() == 413 && !ctx.response().headWritten()) {
            tooLargeResponse(ctx, flavour);
        } else {
            ctx.next();
        }
    }

    private void check(io.vertx.ext.web.RoutingContext ctx, Flavour flavour) {
        String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null && tooLarge(length)) {
            tooLargeResponse(ctx, flavour);
            return;
        }
        ctx.next();
    }

    private void tooLargeResponse(io.vertx.ext.web.RoutingContext ctx, Flavour flavour) {
        {
            VapiException refusal = TerminateRequestParser.invalid("body.too_large",
                    "The request body must not be larger than 65536 bytes.", "body");
            var error = refusal.error();
            // a refused request still counts, and is audited, exactly once
            outcomes.record(new TerminateTrace(RequestIds.of(ctx), flavour.tag(), ctx.pathParam("vm"), null), refusal);
            String json = io.vertx.core.json.Json.encode(VapiErrorResponses.body(flavour, error));
            ctx.response().setStatusCode(error.type().httpStatus())
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .putHeader(HttpHeaders.CONNECTION, "close")
                    .end(json);
        }
    }

    private static boolean tooLarge(String length) {
        try {
            return Long.parseLong(length.trim()) > TerminateRequestParser.MAX_BODY_BYTES;
        } catch (NumberFormatException e) {
            return false; // the HTTP codec rejects a malformed length itself
        }
    }
}
