package com.guestops.gateway.host;

import com.guestops.gateway.host.HostFailure.Kind;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.net.ConnectException;
import java.net.URI;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.jboss.logging.Logger;

/**
 * The HTTP exchanges of one host, each read with a size cap and bounded by the time its attempt has
 * left. This is the one place that enforces both, at the point that frees the connection:
 * <ul>
 * <li>past {@code maxResponseBytes} (announced by {@code Content-Length} or counted while reading) the
 *     request is reset, which closes the connection at once; nothing more is read;</li>
 * <li>when the attempt's time runs out, the request is reset the same way (also while it still waits
 *     for a pooled connection, with no request sent), and the exchange fails as a timeout.</li>
 * </ul>
 * Nothing else times out a host call, and nothing is cancelled from outside while the exchange could
 * still complete: a reset exchange fails exactly once, through its own emitter.
 *
 * <p>Three connection pools per host: kills ({@link Pool#OPERATIONS}, the host's {@code max-pool-size}),
 * ownership lookups ({@link Pool#LOOKUPS}, the lookup concurrency) and the service-account session
 * (logins, session checks, logouts), so a flood of lookups can never hold a connection a kill needs. The kills'
 * pool is split over the event loops ({@link LoopClients}): an exchange runs on the event loop of its request.
 */
public final class HostHttp {

    public enum Pool {
        OPERATIONS,
        LOOKUPS,
        SESSION
    }

    /**
     * A request header. Its name is made once, with {@link HttpHeaders#createOptimized}: a name that keeps its
     * case-insensitive hash, which every header map it passes through would otherwise compute again from a
     * {@code String} (the headers of a forwarded kill went through three maps: 2 % of the event loops' samples,
     * bench/HISTORY.md). Set straight on the request Vert.x sends.
     */
    public record Header(CharSequence name, String value) {
        @Override
        public String toString() {
            return "Header[" + name + "]"; // never the value: a session id, a service account's Basic credentials
        }
    }

    private static final CharSequence USER_AGENT = HttpHeaders.createOptimized("User-Agent");
    private static final CharSequence GATEWAY = HttpHeaders.createOptimized("guestops-gateway");

    /** A complete answer from the host, at most {@code maxResponseBytes} long. */
    public record Answer(int status, MultiMap headers, Buffer body, List<String> setCookies) {
        public String contentType() {
            return headers.get("Content-Type");
        }

        @Override
        public String toString() {
            return "Answer[" + status + ", " + body.length() + " bytes]"; // never the body or the cookies
        }
    }

    private static final Logger LOG = Logger.getLogger(HostHttp.class);

    private final Vertx vertx;
    private final String host;
    /** The host's URL, taken apart once: Vert.x would parse it again for every request given as an absolute URL. */
    private final boolean ssl;
    private final String hostName;
    private final int port;
    private final String basePath;
    /** The address Vert.x would make from host and port for every request (parsing an IP literal each time). */
    private final SocketAddress server;
    private final long maxResponseBytes;
    private final long connectTimeoutMillis;
    private final Map<Pool, LoopClients> clients;

    /** @param url the host's configured http(s) URL (validated by {@link HostEndpoint}); requests go below its path */
    HostHttp(Vertx vertx, String host, URI url, long maxResponseBytes, long connectTimeoutMillis,
            Map<Pool, LoopClients> clients) {
        this.vertx = vertx;
        this.host = host;
        // as RequestOptions.setAbsoluteURI takes a URL apart: the default port of the scheme when none is given
        this.ssl = url.getScheme().equalsIgnoreCase("https");
        this.hostName = url.getHost();
        this.port = url.getPort() != -1 ? url.getPort() : ssl ? 443 : 80;
        String path = url.getRawPath() == null ? "" : url.getRawPath();
        this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path; // no slash doubled
        this.server = SocketAddress.inetSocketAddress(port, hostName); // a name stays a name: resolved per connection
        this.maxResponseBytes = maxResponseBytes;
        this.connectTimeoutMillis = connectTimeoutMillis;
        this.clients = new EnumMap<>(clients);
    }

    /**
     * One request and its complete answer. Lazy: each subscription is one real exchange.
     *
     * @param path          what follows the host's URL: {@code ""}, or a path starting with {@code /}, maybe with a
     *                      query
     * @param deadlineNanos {@link System#nanoTime()} by which the answer must be complete
     * @param operation     whether this is the operation's own request (the kill): only then can a
     *                      failure after sending mean the operation may have happened
     */
    public Uni<Answer> send(Pool pool, HttpMethod method, String path, List<Header> headers, Buffer body, long deadlineNanos,
            boolean operation) {
        return Uni.createFrom().emitter(emitter -> new Exchange(emitter, operation)
                .start(clients.get(pool).current(), method, path, headers, body, deadlineNanos));
    }

    public void close() {
        clients.values().forEach(LoopClients::close);
    }

    /** The state of one exchange. Callbacks arrive on event-loop threads, the timer maybe on another: synchronized. */
    private final class Exchange {
        private final UniEmitter<? super Answer> emitter;
        private final boolean operation;
        private HttpClientRequest request;
        private Buffer received;
        private LoopTimers.Timeout timer;
        private boolean sent;
        private boolean done;

        Exchange(UniEmitter<? super Answer> emitter, boolean operation) {
            this.emitter = emitter;
            this.operation = operation;
        }

        void start(HttpClient client, HttpMethod method, String path, List<Header> headers, Buffer body, long deadlineNanos) {
            long remaining = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
            if (remaining <= 0) {
                emitter.fail(failure(Kind.TIMEOUT, -1, "no time left to send the request", null));
                return;
            }
            // a cancelled subscription (the request's call has ended) resets whatever is in flight
            emitter.onTermination(() -> finish(null, null));
            synchronized (this) {
                timer = LoopTimers.start(vertx, deadlineNanos, () -> finish(null, failure(Kind.TIMEOUT, -1,
                        "no complete answer within " + remaining + " ms", null)));
            }
            String uri = basePath + path;
            RequestOptions options = new RequestOptions().setMethod(method).setSsl(ssl).setHost(hostName).setPort(port)
                    .setServer(server)
                    .setURI(uri.isEmpty() ? "/" : uri)
                    // waiting for a pooled connection counts against the attempt too
                    .setConnectTimeout(Math.min(connectTimeoutMillis, remaining));
            client.request(options).onComplete(obtained -> {
                if (obtained.failed()) {
                    finish(null, notConnected(obtained.cause()));
                    return;
                }
                HttpClientRequest outgoing = obtained.result();
                try {
                    outgoing.putHeader(USER_AGENT, GATEWAY);
                    for (Header header : headers) {
                        outgoing.putHeader(header.name(), header.value());
                    }
                } catch (IllegalArgumentException unsendable) {
                    // a value HTTP cannot carry (a host's session id with a line break in it): nothing is sent, and
                    // Vert.x's message, which quotes the value, goes nowhere
                    outgoing.exceptionHandler(ignored -> { }); // the reset below is ours: not an error to log
                    outgoing.reset();
                    finish(null, failure(Kind.BAD_RESPONSE, -1, "a header value HTTP cannot carry", null));
                    return;
                }
                if (!begin(outgoing)) {
                    return;
                }
                outgoing.send(body).onComplete(answered -> {
                    if (answered.failed()) {
                        finish(null, failure(Kind.CONNECTION_LOST, -1, "the connection dropped before the answer",
                                answered.cause()));
                    } else {
                        read(answered.result());
                    }
                });
            });
        }

        /** Records the request about to be sent; false (and the request reset) if the exchange already ended. */
        private synchronized boolean begin(HttpClientRequest obtained) {
            if (done) {
                obtained.reset();
                return false;
            }
            request = obtained;
            sent = true;
            return true;
        }

        private void read(HttpClientResponse response) {
            String declared = response.getHeader("Content-Length");
            if (declared != null && parseLong(declared) > maxResponseBytes) {
                finish(null, tooLarge(response.statusCode()));
                return;
            }
            synchronized (this) {
                received = Buffer.buffer();
            }
            response.handler(chunk -> {
                boolean over;
                synchronized (this) {
                    if (done) {
                        return;
                    }
                    over = received.length() + (long) chunk.length() > maxResponseBytes;
                    if (!over) {
                        received.appendBuffer(chunk);
                    }
                }
                if (over) {
                    finish(null, tooLarge(response.statusCode()));
                }
            });
            response.exceptionHandler(e -> finish(null, failure(Kind.CONNECTION_LOST, response.statusCode(),
                    "the connection dropped while reading the answer", e)));
            response.endHandler(end -> {
                Buffer body;
                synchronized (this) {
                    body = received;
                }
                finish(new Answer(response.statusCode(), response.headers(), body, response.cookies()), null);
            });
        }

        /**
         * Ends the exchange once: with the answer, with a failure (resetting the request, which closes
         * its connection), or, when both are null, because the subscriber went away.
         */
        private void finish(Answer answer, HostFailure failure) {
            HttpClientRequest inFlight;
            synchronized (this) {
                if (done) {
                    return;
                }
                done = true;
                if (timer != null) {
                    timer.cancel();
                }
                inFlight = answer == null ? request : null;
            }
            if (inFlight != null) {
                inFlight.reset(); // HTTP/1.1: closes the connection; nothing more is read from it
            }
            if (answer != null) {
                emitter.complete(answer);
            } else if (failure != null) {
                emitter.fail(failure);
            }
        }

        private HostFailure notConnected(Throwable cause) {
            if (cause instanceof SSLException) {
                // the caller only hears "unreachable"; the operator needs to know it is the certificate
                LOG.warnf("Host %s: TLS handshake failed (%s). If the host's certificate is self-signed, trust it"
                        + " through gateway.hosts.%s.tls-configuration-name.", host, cause.getMessage(), host);
            }
            if (cause instanceof ConnectException && !(cause instanceof io.netty.channel.ConnectTimeoutException)) {
                return failure(Kind.REFUSED, -1, "connection refused", cause);
            }
            return failure(Kind.UNREACHABLE, -1, cause.getClass().getSimpleName(), cause);
        }

        private HostFailure tooLarge(int status) {
            LOG.warnf("Host %s answered more than %d bytes (HTTP %d); the connection was closed", host, maxResponseBytes, status);
            return failure(Kind.TOO_LARGE, status, "answer larger than " + maxResponseBytes + " bytes", null);
        }

        private synchronized HostFailure failure(Kind kind, int status, String detail, Throwable cause) {
            return new HostFailure(kind, host, operation && sent, status, detail, cause);
        }
    }

    private static long parseLong(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
