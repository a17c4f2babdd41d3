package com.guestops.gateway.api;

import com.guestops.gateway.audit.AuditLog;
import com.guestops.gateway.error.ErrorSource;
import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.error.VapiException;
import com.guestops.gateway.metrics.GatewayMetrics;
import com.guestops.gateway.resilience.ContextExecutor;
import com.guestops.gateway.terminate.TerminateCommand;
import com.guestops.gateway.terminate.TerminateTrace;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.concurrent.Executor;

/**
 * Where every terminate request ends, exactly once, whatever stopped it (validation, routing,
 * resilience, the host, or an early refusal of its body): counted in metrics when the caller's answer
 * is decided, and written to the audit log once the request's last host attempt has ended (its trace
 * has settled), with the caller's answer beside the host's real result.
 */
@Singleton
public class RequestOutcomes {

    public static final String SUCCESS = "success";
    /**
     * The outcome of a conditional delete whose {@code If-Match} no longer named the process (answered
     * {@code concurrent_change}): nothing was killed, and it is counted apart from every host or gateway error.
     */
    public static final String PRECONDITION_FAILED = "precondition_failed";

    private final GatewayMetrics metrics;

    @Inject
    public RequestOutcomes(GatewayMetrics metrics) {
        this.metrics = metrics;
    }

    /** @param failure null on success */
    public void record(TerminateTrace trace, Throwable failure) {
        String outcome = SUCCESS;
        String source = ErrorSource.HOST.tag();
        if (failure instanceof VapiException vapi) {
            outcome = vapi.type() == ErrorType.CONCURRENT_CHANGE ? PRECONDITION_FAILED : vapi.type().wireName();
            source = vapi.source().tag();
        } else if (failure != null) {
            outcome = ErrorType.ERROR.wireName();
            source = ErrorSource.GATEWAY.tag();
        }
        long duration = System.nanoTime() - trace.startNanos();
        if (TerminateCommand.Action.GET.wireName().equals(trace.action())) {
            metrics.processLookupRequest(trace.flavour(), trace.host(), outcome, source);
        } else {
            metrics.request(trace.flavour(), trace.host(), outcome, source, duration);
        }
        String auditOutcome = outcome;
        String auditSource = source;
        if (trace.settled().isDone()) {
            AuditLog.record(trace, auditOutcome, auditSource); // the usual case: nothing still running
            return;
        }
        // the audit line runs on the request's Vert.x context, so it carries the request's MDC
        Executor onRequestContext = ContextExecutor.of(io.vertx.core.Vertx.currentContext());
        Runnable audit = () -> AuditLog.record(trace, auditOutcome, auditSource);
        if (onRequestContext == null) {
            trace.settled().thenRun(audit);
        } else {
            trace.settled().thenRunAsync(audit, onRequestContext);
        }
    }
}
