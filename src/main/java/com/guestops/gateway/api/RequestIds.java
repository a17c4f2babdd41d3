package com.guestops.gateway.api;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
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
    /** The header's name made once, its case-insensitive hash with it (read and written on every request). */
    private static final CharSequence HEADER_NAME = HttpHeaders.createOptimized(HEADER);
    public static final String MDC_KEY = "requestId";
    private static final String CONTEXT_KEY = "guestops.requestId";
    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    /*
     * One route without a path that looks at the prefix itself: a route per flavour on "/api/*" made Vert.x copy and
     * decode the rest of the path into a path parameter for every request, for each such route (bench/HISTORY.md).
     */
    void register(@Observes Router router) {
        router.route().order(-1001).handler(RequestIds::assign);
    }

    private static void assign(RoutingContext ctx) {
        if (Flavour.under(ctx.normalizedPath()) == null) {
            ctx.next(); // not the operation's API: no id
            return;
        }
        String id = sane(ctx.request().getHeader(HEADER_NAME));
        ctx.put(CONTEXT_KEY, id);
        MDC.put(MDC_KEY, id);
        ctx.response().putHeader(HEADER_NAME, id);
        ctx.next();
    }

    /**
     * The caller's id when it is a plain token, otherwise a new one: a caller's id is logged and echoed, so
     * nothing else is accepted (no log or header injection).
     */
    static String sane(String given) {
        return given != null && SANE.matcher(given).matches() ? given : newId();
    }

    /**
     * A random (version 4) UUID. From the thread's own generator rather than {@link UUID#randomUUID()}'s
     * {@code SecureRandom}, which serialises the event loops on one lock and cost about 2 % of a forwarded request's
     * CPU: a request id must be unique, not unguessable (it grants nothing and is echoed to its caller anyway).
     */
    static String newId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L; // version 4
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L; // the IETF variant
        return new UUID(high, low).toString();
    }

    /** The id assigned to this request. */
    public static String of(RoutingContext ctx) {
        String id = ctx.get(CONTEXT_KEY);
        return id != null ? id : newId();
    }
}
