package com.guestops.gateway.resilience;

import com.guestops.gateway.error.ErrorSource;
import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.error.GatewayMessages;
import com.guestops.gateway.error.VapiError;
import com.guestops.gateway.error.VapiException;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The answers a guarded host gives without calling its host. None of them is a kill. */
final class GuardAnswers {

    private GuardAnswers() {
    }

    static VapiException circuitOpen(String host, long retryAfterSeconds) {
        return new VapiException(VapiError.of(ErrorType.SERVICE_UNAVAILABLE, GatewayMessages.CIRCUIT_OPEN,
                "Host " + host + " is failing; calls to it are suspended for " + retryAfterSeconds + " s;"
                        + " the process was not terminated.", host),
                ErrorSource.GATEWAY, Map.of("Retry-After", Long.toString(retryAfterSeconds)));
    }

    static VapiException bulkheadFull(String host) {
        return VapiException.gateway(ErrorType.RESOURCE_BUSY, GatewayMessages.BULKHEAD_FULL,
                "Too many requests to host " + host + " are in progress; the process was not terminated.", host);
    }

    static VapiException coolingDown(String vm, long remainingNanos) {
        long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(remainingNanos + 999_999_999L));
        return new VapiException(VapiError.of(ErrorType.SERVICE_UNAVAILABLE, GatewayMessages.VM_COOLDOWN,
                "VMware Tools is not running in the guest of " + vm + "; not retrying for " + seconds + " s.", vm),
                ErrorSource.GATEWAY, Map.of("Retry-After", Long.toString(seconds)));
    }

    /** An attempt (a retry, or one queued in the bulkhead) whose turn came after the request's deadline. */
    static VapiException deadlinePassedBeforeTheCall() {
        return VapiException.gateway(ErrorType.SERVICE_UNAVAILABLE, GatewayMessages.DEADLINE_EXCEEDED,
                "The request's deadline passed before the host could be called; the process was not terminated.");
    }
}
