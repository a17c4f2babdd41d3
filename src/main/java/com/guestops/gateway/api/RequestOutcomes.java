package com.guestops.gateway.api;

import com.guestops.gateway.audit.AuditLog;
import com.guestops.gateway.error.ErrorSource;
import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.error.VapiException;
import com.guestops.gateway.metrics.GatewayMetrics;
import com.guestops.gateway.terminate.TerminateTrace;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Where every terminate request ends, exactly once, whatever stopped it (validation, routing,
 * resilience, the host, or an early refusal of its body): counted in metrics and written to the
 * audit log.
 */
@ApplicationScoped
public class RequestOutcomes {

    public static final String SUCCESS = "success";

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
            outcome = vapi.type().wireName();
            source = vapi.source().tag();
        } else if (failure != null) {
            outcome = ErrorType.ERROR.wireName();
            source = ErrorSource.GATEWAY.tag();
        }
        long duration = System.nanoTime() - trace.startNanos();
        metrics.request(trace.flavour(), trace.host(), outcome, source, duration);
        AuditLog.record(trace, outcome, source, duration);
    }
}
