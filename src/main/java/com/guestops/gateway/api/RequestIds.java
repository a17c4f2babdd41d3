package com.guestops.gateway.api;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jboss.logging.MDC;

/**
 * Gives every request to the operation a request id: the caller's {@code X-Request-Id} when it is a
 * sane token, otherwise a new UUID. It is echoed in the response and put in the logging MDC as
 * {@code requestId}, so every log line of the request (on its Vert.x context) carries it.
 */
@ApplicationScoped
public class RequestIds {

    public static final String HEADER = "X-Request-Id";
    public static final String MDC_KEY = "requestId";
    private static final String CONTEXT_KEY = "guestops.requestId";
    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    void register(@Observes Router router) {
        for (Flavour flavour : Flavour.values()) {
            router.route("/" + flavour.tag() + "/*").order(-1001).handler(RequestIds::assign);
        }
    }

    private static void assign(RoutingContext ctx) {
        String id = sane(ctx.request().getHeader(HEADER));
        ctx.put(CONTEXT_KEY, id);
        MDC.put(MDC_KEY, id);
        ctx.response().putHeader(HEADER, id);
        ctx.next();
    }

    /**
     * The caller's id when it is a plain token, otherwise a new one: a caller's id is logged and echoed, so
     * nothing else is accepted (no log or header injection).
     */
    static String sane(String given) {
        return given != null && SANE.matcher(given).matches() ? given : UUID.randomUUID().toString();
    }

    /** The id assigned to this request. */
    public static String of(RoutingContext ctx) {
        String id = ctx.get(CONTEXT_KEY);
        return id != null ? id : UUID.randomUUID().toString();
    }
}
