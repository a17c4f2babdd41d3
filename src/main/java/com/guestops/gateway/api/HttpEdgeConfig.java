package com.guestops.gateway.api;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * Limits of the gateway's HTTP edge ({@code gateway.http.*}); the names are part of the public interface. The
 * idle timeout is Quarkus' own {@code quarkus.http.idle-timeout}, the request line and header block limits are
 * {@code quarkus.http.limits.max-initial-line-length} and {@code quarkus.http.limits.max-header-size}.
 */
@ConfigMapping(prefix = "gateway.http")
public interface HttpEdgeConfig {

    /**
     * Time a client has to send a whole request head (request line and headers): counted from the moment the
     * connection is accepted for its first request, and from the first byte of each later one. A client that
     * trickles its head is answered 408 and disconnected; a connection that sends nothing is closed.
     */
    @WithDefault("10s")
    Duration headerTimeout();

    /** Time a client has to send a request body, counted from the end of its head; then 408 and disconnected. */
    @WithDefault("30s")
    Duration bodyTimeout();

    /**
     * Open connections per pod (HTTP/1.1 and HTTP/2 together); a connection over the limit is closed as soon as it
     * is accepted. Counted at accept: Quarkus' own {@code quarkus.http.limits.max-connections} counts a connection
     * only once its first request has been read, so silent connections would escape it.
     */
    @WithDefault("4000")
    int maxConnections();
}
