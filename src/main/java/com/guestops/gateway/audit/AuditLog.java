package com.guestops.gateway.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.guestops.gateway.terminate.TerminateTrace;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * One structured line per terminate request on logger {@value #LOGGER}, answering "who killed which
 * process where, and what happened": time, request id, caller, flavour, vm, pid, host, guest user,
 * the caller's answer ({@code outcome}, {@code source}), what really happened at the host
 * ({@code host_result}: the result of the last attempt, {@code attempt_results}: every attempt's, in
 * order), attempts and duration. Written when the request's last attempt has ended, so a caller
 * answered {@code service_unavailable} at its deadline while the attempt went on to succeed shows
 * both. Never a password or token: the trace does not hold them.
 */
public final class AuditLog {

    public static final String LOGGER = "com.guestops.gateway.audit";
    private static final Logger LOG = Logger.getLogger(LOGGER);
    private static final ObjectMapper JSON = new ObjectMapper();

    private AuditLog() {
    }

    private static String truncate(String value) {
        return value == null || value.length() <= 80 ? value : value.substring(0, 80) + "...";
    }

    public static void record(TerminateTrace trace, String outcome, String source) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", Instant.now().toString());
        line.put("request_id", trace.requestId());
        line.put("caller", trace.caller());
        line.put("flavour", trace.flavour());
        line.put("vm", trace.vm());
        line.put("pid", trace.pid());
        line.put("host", trace.host());
        line.put("guest_user", truncate(trace.guestUser()));
        line.put("outcome", outcome);
        line.put("source", source);
        line.put("host_result", trace.hostResult());
        line.put("attempt_results", trace.attemptResults());
        line.put("attempts", trace.attempts());
        // until the last attempt ended, which may be after the caller's answer
        line.put("duration_ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - trace.startNanos()));
        try {
            LOG.info(JSON.writeValueAsString(line));
        } catch (JsonProcessingException e) {
            LOG.warn("Audit line could not be written", e);
        }
    }
}
