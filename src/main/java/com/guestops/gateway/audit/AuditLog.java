package com.guestops.gateway.audit;

import com.guestops.gateway.terminate.TerminateTrace;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * One audit line per request (delete or get) on logger {@value #LOGGER}, answering "who killed (or looked up) which
 * process where, and what happened": time, request id, caller, flavour, action, precondition ({@code none},
 * {@code etag}, {@code any}), vm, pid, host, guest user, the caller's answer ({@code outcome},
 * {@code source}), what really happened at the host ({@code host_result}: the result of the last attempt,
 * {@code attempt_results}: every attempt's, in order), attempts and duration. Written when the request's last
 * attempt has ended, so a caller answered {@code service_unavailable} at its deadline while the attempt went on to
 * succeed shows both. Never a password or token: the trace does not hold them.
 *
 * <p>The line is one JSON object, fields at the top level and typed, so that log pipelines read it with one parse.
 * It is written as it is by the logger's own handler ({@link AuditLineOutput}) and not also through the application's
 * console, whose JSON formatter would escape it into the {@code message} of another object. Its {@code timestamp} and
 * {@code loggerName} keys are the ones of the gateway's other JSON log lines, so one pipeline rule can route both.
 */
public final class AuditLog {

    public static final String LOGGER = "com.guestops.gateway.audit";
    private static final Logger LOG = Logger.getLogger(LOGGER);

    private AuditLog() {
    }

    private static String truncate(String value) {
        return value == null || value.length() <= 80 ? value : value.substring(0, 80) + "...";
    }

    public static void record(TerminateTrace trace, String outcome, String source) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        LOG.info(new JsonLine()
                .field("timestamp", IsoInstant.format(Instant.now()))
                .field("loggerName", LOGGER)
                .field("request_id", trace.requestId())
                .field("caller", trace.caller())
                .field("flavour", trace.flavour())
                .field("action", trace.action())
                .field("precondition", trace.precondition())
                .field("vm", trace.vm())
                .field("pid", trace.pid())
                .field("host", trace.host())
                .field("guest_user", truncate(trace.guestUser()))
                .field("outcome", outcome)
                .field("source", source)
                .field("host_result", trace.hostResult())
                .field("attempt_results", trace.attemptResults())
                .field("attempts", trace.attempts())
                // a conditional delete: microseconds from the lookup that matched to the kill (null otherwise)
                .field("precondition_window_us", trace.preconditionWindowMicros())
                // until the last attempt ended, which may be after the caller's answer
                .field("duration_ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - trace.startNanos()))
                .end());
    }
}
