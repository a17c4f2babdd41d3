package com.guestops.gateway.api;

import com.guestops.gateway.error.ErrorSource;
import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.error.GatewayMessages;
import com.guestops.gateway.error.VapiError;
import com.guestops.gateway.error.VapiException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpVersion;
import java.time.Duration;
import java.util.Map;

/**
 * The gateway's answer to a request it cannot read as HTTP: an {@code invalid_argument} whose message id starts
 * with {@value #PREFIX} and names what was wrong, sent with the HTTP status that says the same to HTTP clients
 * and proxies (414, 431, 408, or 400), and followed by closing the connection (what is left on the wire cannot
 * be trusted to start a next request).
 */
final class HttpRefusal extends VapiException {

    static final String PREFIX = GatewayMessages.PREFIX + "request.";

    private final int status;

    private HttpRefusal(int status, VapiError error, boolean closeConnection) {
        super(error, ErrorSource.GATEWAY, closeConnection ? Map.of(HttpHeaders.CONNECTION.toString(), "close") : Map.of());
        this.status = status;
    }

    private HttpRefusal(int status, String rule, String argument, String defaultMessage) {
        this(status, VapiError.of(ErrorType.INVALID_ARGUMENT, PREFIX + rule, defaultMessage, argument), true);
    }

    /** The HTTP status of the answer (the vAPI type is always {@code invalid_argument}). */
    int status() {
        return status;
    }

    /**
     * The same answer for a request of this protocol version: HTTP/2 forbids connection headers (the stream would
     * be reset instead of answered), and there only the stream ends, not the connection.
     */
    HttpRefusal over(HttpVersion version) {
        boolean http1 = version == HttpVersion.HTTP_1_1 || version == HttpVersion.HTTP_1_0;
        return http1 ? this : new HttpRefusal(status, error(), false);
    }

    static HttpRefusal lineTooLong(int maxBytes) {
        return new HttpRefusal(414, "line_too_long", "request_line",
                "The request line (method, path, query and version) must not be longer than " + maxBytes + " bytes.");
    }

    static HttpRefusal headersTooLarge(long maxBytes) {
        return new HttpRefusal(431, "headers_too_large", "headers",
                "The request headers must not be larger than " + maxBytes + " bytes in total.");
    }

    static HttpRefusal malformed() {
        return new HttpRefusal(400, "malformed", "request", "The request is not well-formed HTTP/1.1: every line must"
                + " end with CR LF, and header names and values must be valid.");
    }

    static HttpRefusal pathInvalid() {
        return new HttpRefusal(400, "path_invalid", "path", "The request path is not a valid URI: a '%' must be"
                + " followed by two hexadecimal digits, and spaces and characters such as '|', '^' or '{' must be"
                + " percent-encoded.");
    }

    static HttpRefusal headerTimeout(Duration limit) {
        return new HttpRefusal(408, "header_timeout", "headers",
                "The request headers were not received within " + seconds(limit) + ".");
    }

    static HttpRefusal bodyTimeout(Duration limit) {
        return new HttpRefusal(408, "body_timeout", "body", "The request body was not received within " + seconds(limit) + ".");
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " seconds" : d.toMillis() + " milliseconds";
    }
}
