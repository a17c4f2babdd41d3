package com.guestops.gateway.api;

import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.error.GatewayMessages;
import com.guestops.gateway.error.VapiError;
import com.guestops.gateway.error.VapiException;
import com.guestops.gateway.host.ProcessInfo;
import com.guestops.gateway.security.BearerAuthenticator;
import com.guestops.gateway.security.CallerIdentity;
import com.guestops.gateway.security.ClientCertificates;
import com.guestops.gateway.terminate.ProcessView;
import com.guestops.gateway.terminate.TerminateCommand;
import com.guestops.gateway.terminate.TerminateCommand.Action;
import com.guestops.gateway.terminate.TerminateService;
import com.guestops.gateway.terminate.TerminateTrace;
import io.smallrye.mutiny.Uni;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * What both flavours' routes ({@link OperationRoutes}) share: read the body ({@link RequestBody}, capped), authenticate the caller,
 * parse and validate the request, run the use case ({@code action=delete}: terminate, maybe conditionally;
 * {@code action=get}: look the process up), and render the outcome in the flavour's shape. Runs on the
 * event loop; nothing here blocks.
 *
 * <p>The caller is authenticated first: a request without a TLS client certificate (when they are required) or
 * without a valid bearer token (or without the required
 * role) is answered 401/403 before its body is even parsed, never reaches routing or a host, and is
 * counted like every other outcome (host {@code none}, source {@code gateway}).
 */
@Singleton // called on every request: no client proxy in between (a context look-up per call)
public class GuestProcessEndpoint {

    private static final Logger LOG = Logger.getLogger(GuestProcessEndpoint.class);

    /** Log MDC key holding the authenticated caller's subject for the rest of the request. */
    public static final String CALLER_MDC = "caller";

    /** Header names read on every request, made once with their case-insensitive hashes. */
    private static final CharSequence REQUEST_TIMEOUT = HttpHeaders.createOptimized(TerminateRequestParser.REQUEST_TIMEOUT_HEADER);
    private static final CharSequence IF_MATCH = HttpHeaders.createOptimized(TerminateRequestParser.IF_MATCH_HEADER);

    private final TerminateService service;
    private final RequestOutcomes outcomes;
    private final BearerAuthenticator authenticator;
    private final ClientCertificates clientCertificates;
    private final ShutdownGate shutdown;

    private final Duration bodyTimeout;

    @Inject
    public GuestProcessEndpoint(TerminateService service, RequestOutcomes outcomes, BearerAuthenticator authenticator,
            ClientCertificates clientCertificates, ShutdownGate shutdown, HttpEdgeConfig http) {
        this.service = service;
        this.outcomes = outcomes;
        this.authenticator = authenticator;
        this.clientCertificates = clientCertificates;
        this.shutdown = shutdown;
        this.bodyTimeout = http.bodyTimeout();
    }

    /**
     * Both operations of the path: {@code action=delete} and {@code action=get}. {@code vm} and {@code pid} are the
     * path's segments, decoded; {@code query} the decoded query parameters.
     */
    public Uni<OperationAnswer> handle(Flavour flavour, String vm, String pid, MultiMap query, RoutingContext routing) {
        HttpServerRequest request = routing.request();
        TerminateTrace trace = new TerminateTrace(RequestIds.of(routing), flavour.tag(), vm, pid);
        Optional<VapiException> refusal = shutdown.refusal();
        if (refusal.isPresent()) {
            // this instance is past its shutdown delay: nothing is authenticated, routed or forwarded any more
            return Uni.createFrom().item(finish(flavour, trace, null, refusal.get()));
        }
        CompletableFuture<OperationAnswer> running = shutdown.track(RequestBody.read(request, bodyTimeout)
                .chain(body -> {
                    clientCertificates.check(verifiedClientCertificate(request));
                    return authenticator.authenticate(request.headers().getAll(HttpHeaders.AUTHORIZATION))
                            .chain(caller -> operate(request, trace, vm, pid, query, body, caller));
                })
                // success or failure: counted, audited and rendered in one step
                .onItemOrFailure().transform((result, failure) -> finish(flavour, trace, result, failure))
                .subscribeAsCompletionStage());
        // started here and run to its end even if the caller goes away: a terminate that reaches a host
        // is always counted and audited with what really happened (a shutdown waits for it too). The caller
        // waits on a copy, so a closed connection cancels only the copy, never the call in progress.
        return Uni.createFrom().completionStage(running.copy());
    }

    /** The authenticated request, validated and run: the process looked up ({@link ProcessView}) or killed (null). */
    private Uni<Object> operate(HttpServerRequest request, TerminateTrace trace, String vm, String pid, MultiMap query,
            byte[] body, CallerIdentity caller) {
        if (caller.authenticated()) {
            // for the audit log, and on every later log line of the request: the request runs
            // on its own (duplicated) Vert.x context, which scopes the MDC to it
            trace.caller(caller.subject());
            MDC.put(CALLER_MDC, caller.subject());
        }
        authenticator.requireRole(caller);
        // an invalid request fails here with invalid_argument, before anything is routed
        TerminateCommand command = TerminateRequestParser.parse(vm, pid, actions(query),
                header(request, HttpHeaders.CONTENT_TYPE), header(request, REQUEST_TIMEOUT), header(request, IF_MATCH), body)
                .withCaller(caller);
        trace.action(command.action().wireName());
        command.precondition().ifPresent(p -> trace.precondition(p.kind()));
        trace.guestUser(command.credentials().userName().orElse(null));
        return widened(command.action() == Action.GET ? service.process(command, trace) : service.terminate(command, trace));
    }

    /** A {@code Uni<ProcessView>} or a {@code Uni<Void>} (its item null) seen as what it is read as: an Object. */
    @SuppressWarnings("unchecked")
    private static Uni<Object> widened(Uni<?> answer) {
        return (Uni<Object>) answer;
    }

    /**
     * Every request ends here exactly once: count its outcome and render the answer. Never throws: what it returns is
     * the answer, whatever goes wrong in here (the pipeline has no later step that would count or render again).
     */
    private OperationAnswer finish(Flavour flavour, TerminateTrace trace, Object result, Throwable failure) {
        try {
            outcomes.record(trace, failure);
        } catch (RuntimeException e) {
            LOG.error("Could not count or audit a request's outcome", e);
        }
        try {
            if (failure != null) {
                return error(flavour, failure);
            }
            return result instanceof ProcessView view ? found(flavour, view) : success(flavour);
        } catch (RuntimeException e) {
            return error(flavour, e); // an internal error (logged there): the caller still gets the vAPI shape
        }
    }

    /** Whether the request came over TLS with a client certificate, which the TLS layer has verified once it is here. */
    private static boolean verifiedClientCertificate(HttpServerRequest request) {
        SSLSession session = request.sslSession();
        if (session == null) {
            return false;
        }
        try {
            return session.getPeerCertificates().length > 0;
        } catch (SSLPeerUnverifiedException none) {
            return false;
        }
    }

    /** govmomi's client sends {@code ~action=delete}; both spellings count, every value is checked. */
    private static List<String> actions(MultiMap query) {
        List<String> values = new ArrayList<>(query.getAll("action"));
        values.addAll(query.getAll("~action"));
        return values;
    }

    /** A header's field lines joined with commas (RFC 9110, 5.3), or null when it was not sent. */
    private static String header(HttpServerRequest request, CharSequence name) {
        List<String> lines = request.headers().getAll(name);
        return lines.isEmpty() ? null : lines.size() == 1 ? lines.get(0) : String.join(",", lines);
    }

    /**
     * A looked-up process: VMware's {@code Vcenter.Vm.Guest.Processes.Info} ({@code /rest}: inside
     * {@code {"value": ...}}), and the ETag that a conditional delete sends back in {@code If-Match}.
     */
    private static OperationAnswer found(Flavour flavour, ProcessView view) {
        ProcessInfo p = view.info();
        JsonObject info = new JsonObject()
                .put("name", p.name())
                .put("owner", p.owner())
                .put("command", p.command())
                .put("started", p.started().toString());
        if (p.finished() != null) {
            info.put("finished", p.finished().toString());
        }
        if (p.exitCode() != null) {
            info.put("exit_code", p.exitCode());
        }
        JsonObject body = flavour == Flavour.REST ? new JsonObject().put("value", info) : info;
        return new OperationAnswer(200, Map.of(HttpHeaders.ETAG.toString(), view.etag()), body.encode());
    }

    private static OperationAnswer success(Flavour flavour) {
        return OperationAnswer.empty(flavour == Flavour.REST ? 200 : 204);
    }

    static OperationAnswer error(Flavour flavour, Throwable failure) {
        if (failure instanceof HttpRefusal refusal) {
            return VapiErrorResponses.toAnswer(flavour, refusal.error(), refusal.headers(), refusal.status());
        }
        if (failure instanceof VapiException vapi) {
            return VapiErrorResponses.toAnswer(flavour, vapi.error(), vapi.headers());
        }
        LOG.error("Unexpected failure handling a terminate request", failure);
        return VapiErrorResponses.toAnswer(flavour, VapiError.of(ErrorType.ERROR, GatewayMessages.INTERNAL_ERROR,
                "The gateway failed to process the request."), Map.of());
    }
}
