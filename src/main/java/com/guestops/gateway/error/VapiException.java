package com.guestops.gateway.error;

import java.util.Map;
import java.util.stream.Collectors;

/**
 * A failure that has a definite vAPI answer. Thrown by host clients (source {@link ErrorSource#HOST})
 * and by the gateway's own checks (source {@link ErrorSource#GATEWAY}).
 *
 * <p>The exception message only holds the error type and message ids, never request values, so it is
 * safe to log. No stack trace is captured: these are expected answers, not bugs.
 */
public class VapiException extends RuntimeException {

    private final transient VapiError error;
    private final ErrorSource source;
    private final Map<String, String> headers;

    public VapiException(VapiError error, ErrorSource source) {
        this(error, source, Map.of());
    }

    public VapiException(VapiError error, ErrorSource source, Map<String, String> headers) {
        super(describe(error, source), null, false, false);
        this.error = error;
        this.source = source;
        this.headers = Map.copyOf(headers);
    }

    public static VapiException gateway(ErrorType type, String messageId, String defaultMessage, String... args) {
        return new VapiException(VapiError.of(type, messageId, defaultMessage, args), ErrorSource.GATEWAY);
    }

    public static VapiException host(ErrorType type, String messageId, String defaultMessage, String... args) {
        return new VapiException(VapiError.of(type, messageId, defaultMessage, args), ErrorSource.HOST);
    }

    public VapiError error() {
        return error;
    }

    public ErrorType type() {
        return error.type();
    }

    public ErrorSource source() {
        return source;
    }

    /** Extra response headers that belong to this answer (e.g. {@code Retry-After}). */
    public Map<String, String> headers() {
        return headers;
    }

    private static String describe(VapiError error, ErrorSource source) {
        return source.tag() + " " + error.type().wireName() + " "
                + error.messages().stream().map(VapiMessage::id).collect(Collectors.joining(",", "[", "]"));
    }
}
