package com.guestops.gateway.host;

/**
 * A host call that brought no answer of the host's own protocol: what went wrong, and whether the
 * operation's own request (the kill, not a login or a session check) had been sent. Only then may the
 * operation have happened at the host. Turning this into the caller's answer is the resilience layer's
 * classifier's job; the message here is fixed text of ours, never the host's bytes.
 */
public final class HostFailure extends RuntimeException {

    public enum Kind {
        /** The connection was refused: nothing was sent. */
        REFUSED,
        /** No connection could be made (TLS handshake, DNS, connect timeout, no pooled connection in time): nothing was sent. */
        UNREACHABLE,
        /** The connection dropped after the request was sent, before the answer was complete. */
        CONNECTION_LOST,
        /** No complete answer within the attempt timeout (the request is reset, freeing its connection). */
        TIMEOUT,
        /** The answer was larger than the host's {@code max-response-size}; the connection was closed at once. */
        TOO_LARGE,
        /** The answer is not the host's protocol (an HTML page, garbled or truncated, a 2xx that is not its success). */
        BAD_RESPONSE,
        /** A proxy's 502/503/504 without a protocol body: the host's service is down. */
        UNAVAILABLE,
        /** The host refused the gateway's service account. */
        LOGIN_REFUSED,
        /** A vim25 host failed a session set-up call (a fault about the host or the account, never the guest). */
        SETUP_FAILED
    }

    private final Kind kind;
    private final String host;
    private final boolean operationSent;
    private final int httpStatus;
    private final String detail;

    /**
     * @param operationSent whether the operation's own request had gone out when this happened
     * @param httpStatus    the host's HTTP status, or -1 when there was none
     * @param detail        a short reason of ours (a fault type, "HTTP 401"); never the host's bytes
     */
    public HostFailure(Kind kind, String host, boolean operationSent, int httpStatus, String detail, Throwable cause) {
        super(kind + " " + host + (detail == null ? "" : " (" + detail + ")"), cause, false, false);
        this.kind = kind;
        this.host = host;
        this.operationSent = operationSent;
        this.httpStatus = httpStatus;
        this.detail = detail;
    }

    public Kind kind() {
        return kind;
    }

    public String host() {
        return host;
    }

    public boolean operationSent() {
        return operationSent;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public String detail() {
        return detail;
    }
}
