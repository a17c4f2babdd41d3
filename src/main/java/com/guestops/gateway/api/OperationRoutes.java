package com.guestops.gateway.api;

import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.error.GatewayMessages;
import com.guestops.gateway.error.VapiError;
import io.vertx.core.MultiMap;
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
 * bench: 8–17 % of the CPU and a tenth of the memory allocated per forwarded request, bench/README.md) and answers of
 * its own (it answered {@code OPTIONS} with 200).
 * The routes ahead of these ({@link RequestIds}, {@link BodyLimitFilter}) run first; a handler that fails ends in
 * {@link BodyLimitFilter}'s failure handler, which answers in the vAPI shape too.
 */
@ApplicationScoped
public class OperationRoutes {

    /** The operation's path below its flavour's prefix, as the OpenAPI document and the metrics' {@code uri} tag name it. */
    private static final String TEMPLATE = "/vcenter/vm/{vm}/guest/processes/{pid}";
    /** The same path in Vert.x's spelling of parameters. */
    private static final String ROUTE = TEMPLATE.replace("{vm}", ":vm").replace("{pid}", ":pid");

    private final GuestProcessEndpoint endpoint;

    @Inject
    public OperationRoutes(GuestProcessEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    void register(@Observes Router router) {
        for (Flavour flavour : Flavour.values()) {
            router.post("/" + flavour.tag() + ROUTE)
                    .setName("/" + flavour.tag() + TEMPLATE)
                    .handler(ctx -> operate(ctx, flavour));
        }
        // after every other route of the callers' port, whoever registered it
        router.route().last().handler(OperationRoutes::noOperation);
    }

    private void operate(RoutingContext ctx, Flavour flavour) {
        MultiMap query;
        try {
            query = ctx.queryParams();
        } catch (IllegalArgumentException malformed) {
            // ConnectionGuard refuses a query that is not a URI before routing; this is the second line
            ctx.fail(400, malformed);
            return;
        }
        endpoint.handle(flavour, ctx.pathParam("vm"), ctx.pathParam("pid"), query, ctx).subscribe().with(
                answer -> answer.writeTo(ctx.response()),
                ctx::fail);
    }

    private static void noOperation(RoutingContext ctx) {
        VapiError error = VapiError.of(ErrorType.OPERATION_NOT_FOUND, GatewayMessages.OPERATION_NOT_FOUND,
                "No operation is served at " + ctx.request().method() + " on this path.", ctx.request().method().name());
        VapiErrorResponses.toAnswer(Flavour.ofPath(ctx.request().path()), error, Map.of()).writeTo(ctx.response());
    }
}
