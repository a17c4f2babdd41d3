package com.guestops.gateway.api;

import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.error.GatewayMessages;
import com.guestops.gateway.error.VapiError;
import io.vertx.core.MultiMap;
import io.vertx.core.net.impl.URIDecoder;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Map;

/**
 * The HTTP binding of the operation, in both flavours: {@code POST /api/vcenter/vm/{vm}/guest/processes/{pid}} and
 * {@code POST /rest/...}, handed to {@link GuestProcessEndpoint}; every other request on the callers' port (another
 * path, another method) answers {@code operation_not_found} in the vAPI shape of its path's flavour.
 *
 * <p>Vert.x routes on Quarkus' router rather than a REST resource: the operation reads its own body, headers and query
 * and renders its own answers, so a REST layer only added work per request (measured side by side, leg c of the
 * bench: 8–17 % of the CPU and a tenth of the memory allocated per forwarded request, bench/HISTORY.md) and answers of
 * its own (it answered {@code OPTIONS} with 200).
 * The routes ahead of these ({@link RequestIds}, {@link BodyLimitFilter}) run first; a handler that fails ends in
 * {@link BodyLimitFilter}'s failure handler, which answers in the vAPI shape too.
 */
@ApplicationScoped
public class OperationRoutes {

    /** The operation's path below its flavour's prefix, as the OpenAPI document and the metrics' {@code uri} tag name it. */
    private static final String TEMPLATE = "/vcenter/vm/{vm}/guest/processes/{pid}";
    /** Where the {vm} segment starts, below the flavour's prefix. */
    private static final String VM_PREFIX = "/vcenter/vm/";
    private static final String PROCESSES = "/guest/processes/";

    private final GuestProcessEndpoint endpoint;

    @Inject
    public OperationRoutes(GuestProcessEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    /*
     * A prefix route that splits the path itself rather than Vert.x's path-parameter route: that one ran a regex with
     * named groups per request and decoded the query string into request.params() (which nothing reads: the operation
     * decodes its query once, below), 3-4 % of the event loops' samples under load (bench/HISTORY.md). The match is the
     * one Vert.x made (segments() says how), and the {vm} and {pid} are decoded as Vert.x decodes path parameters.
     */
    void register(@Observes Router router) {
        for (Flavour flavour : Flavour.values()) {
            String prefix = "/" + flavour.tag() + VM_PREFIX;
            String template = "/" + flavour.tag() + TEMPLATE;
            router.post(prefix + "*").handler(ctx -> operate(ctx, flavour, prefix.length(), template));
        }
        // after every other route of the callers' port, whoever registered it
        router.route().last().handler(OperationRoutes::noOperation);
    }

    private void operate(RoutingContext ctx, Flavour flavour, int vmStart, String template) {
        String[] segments = segments(ctx.normalizedPath(), vmStart);
        if (segments == null) {
            ctx.next(); // below the prefix but not the operation's path: operation_not_found, like any other path
            return;
        }
        // what a route named with the template told the metrics and tracing SPIs when it matched (the server span's
        // http.route); only now, so that junk below the prefix is not reported as the operation
        ctx.request().routed(template);
        String vm;
        String pid;
        MultiMap query;
        try {
            vm = URIDecoder.decodeURIComponent(segments[0], false);
            pid = URIDecoder.decodeURIComponent(segments[1], false);
            query = ctx.queryParams();
        } catch (IllegalArgumentException malformed) {
            // ConnectionGuard refuses a target that is not a URI before routing; this is the second line
            ctx.fail(400, malformed);
            return;
        }
        endpoint.handle(flavour, vm, pid, query, ctx).subscribe().with(
                answer -> answer.writeTo(ctx.response()),
                ctx::fail);
    }

    /**
     * The {vm} and {pid} segments of a (normalized) path whose flavour's prefix ends at {@code vmStart}, undecoded, or
     * null when the path is not the operation's: what Vert.x's route {@code /api/vcenter/vm/:vm/guest/processes/:pid}
     * matched, {@code <prefix>([^/]+)/guest/processes/([^/]+)/?} (one trailing slash allowed, no segment empty).
     */
    static String[] segments(String path, int vmStart) {
        int vmEnd = path.indexOf('/', vmStart);
        if (vmEnd <= vmStart || !path.startsWith(PROCESSES, vmEnd)) {
            return null;
        }
        int pidStart = vmEnd + PROCESSES.length();
        int pidEnd = path.endsWith("/") ? path.length() - 1 : path.length();
        int slash = path.indexOf('/', pidStart);
        if (pidEnd <= pidStart || slash >= 0 && slash < pidEnd) {
            return null;
        }
        return new String[] {path.substring(vmStart, vmEnd), path.substring(pidStart, pidEnd)};
    }

    private static void noOperation(RoutingContext ctx) {
        VapiError error = VapiError.of(ErrorType.OPERATION_NOT_FOUND, GatewayMessages.OPERATION_NOT_FOUND,
                "No operation is served at " + ctx.request().method() + " on this path.", ctx.request().method().name());
        VapiErrorResponses.toAnswer(Flavour.ofPath(ctx.request().path()), error, Map.of()).writeTo(ctx.response());
    }
}
