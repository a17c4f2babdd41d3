package com.guestops.gateway.api;

import com.guestops.gateway.metrics.GatewayMetrics;
import com.guestops.gateway.terminate.TerminateTrace;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.http.HttpServerStart;
import io.quarkus.vertx.http.HttpsServerStart;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.VertxHttpRecorder;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.impl.HttpServerImpl;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.net.impl.TCPServerBase;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Inject;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Puts a {@link ConnectionGuard} in front of every connection of the application's HTTP server, and holds the
 * pod to {@code gateway.http.max-connections} open connections.
 *
 * <p>Why by hand: Quarkus 3.33 creates its Vert.x HTTP server without a way to reach it before it listens
 * (quarkusio/quarkus#55082), so neither Vert.x's {@code HttpServer#invalidRequestHandler} nor a per-connection
 * handler can be set; Vert.x answers malformed requests with an empty 400/414/431, Quarkus a path that is not a
 * URI with an empty 400, both before any route; and no route sees a connection before its first request head is
 * complete. So, once the server listens, the guard is added to the pipeline of its listening socket, where every
 * accepted connection passes before Vert.x sets it up. The listening socket is the one field read reflectively
 * (Vert.x keeps it private); if a Vert.x upgrade renames it, startup fails here rather than run unguarded.
 */
@ApplicationScoped
public class ConnectionGuards implements ConnectionGuard.Edge {

    private static final Logger LOG = Logger.getLogger(ConnectionGuards.class);
    private static final String ACCEPTOR = "guestops-connection-limit";

    private final Vertx vertx;
    private final RequestOutcomes outcomes;
    private final GatewayMetrics metrics;
    private final Duration headerTimeout;
    private final Duration bodyTimeout;
    private final int maxConnections;
    private final int maxInitialLineLength;
    private final long maxHeaderSize;
    private final AtomicInteger open = new AtomicInteger();
    private final Acceptor acceptor = new Acceptor();

    @Inject
    public ConnectionGuards(Vertx vertx, RequestOutcomes outcomes, GatewayMetrics metrics, HttpEdgeConfig http, Config config) {
        this.vertx = vertx;
        this.outcomes = outcomes;
        this.metrics = metrics;
        this.headerTimeout = positive(http.headerTimeout(), "gateway.http.header-timeout");
        this.bodyTimeout = positive(http.bodyTimeout(), "gateway.http.body-timeout");
        if (http.maxConnections() < 1) {
            throw new IllegalStateException("gateway.http.max-connections must be at least 1, not " + http.maxConnections());
        }
        this.maxConnections = http.maxConnections();
        this.maxInitialLineLength = config.getOptionalValue("quarkus.http.limits.max-initial-line-length", Integer.class).orElse(4096);
        this.maxHeaderSize = config.getOptionalValue("quarkus.http.limits.max-header-size", MemorySize.class)
                .map(MemorySize::asLongValue).orElse(20L * 1024);
        warnWhenIdleTimeoutCutsRequests(config);
    }

    /**
     * The listening socket's field is looked up at startup, so that a Vert.x that changed it stops the gateway early.
     * The server usually listens only later; after a dev-mode reload it already does, and keeps listening, so the
     * reloaded application's guard takes over here.
     */
    void checkVertx(@Observes StartupEvent starting) {
        metrics.httpConnections(open::get);
        bindFuture();
        guardListeningSockets();
    }

    /**
     * Quarkus tells that its HTTP server listens only asynchronously, so connections accepted in the first
     * moments after it listens (before the pod is ready, so before any traffic) are not guarded.
     */
    void install(@ObservesAsync HttpServerStart listening) {
        guardOrStop();
    }

    /** The HTTPS server has its own start event; with plain HTTP off it is the only one. */
    void installHttps(@ObservesAsync HttpsServerStart listening) {
        guardOrStop();
    }

    private void guardOrStop() {
        try {
            if (guardListeningSockets().isEmpty()) {
                throw new IllegalStateException("no listening HTTP server of the application was found");
            }
        } catch (RuntimeException e) {
            LOG.error("The gateway cannot guard its HTTP connections and stops rather than run without header timeouts,"
                    + " a connection limit and vAPI answers for malformed requests", e);
            Quarkus.asyncExit(1);
        }
    }

    private List<Channel> guardListeningSockets() {
        List<Channel> guarded = new ArrayList<>();
        Map<?, HttpServerImpl> servers = ((VertxInternal) vertx).sharedHttpServers();
        synchronized (servers) {
            for (HttpServerImpl server : servers.values()) {
                // the application's server (HTTP, and HTTPS when enabled) hands its requests to Quarkus' root handler;
                // the management interface's server (health, metrics) has its own and stays unguarded: its connections
                // do not count against the public limit, so a pod full of idle callers still answers its probes
                if (server.requestHandler() == VertxHttpRecorder.getRootHandler()) {
                    Channel listening = listeningSocket(server);
                    if (listening.pipeline().get(ACCEPTOR) == null) {
                        listening.pipeline().addFirst(ACCEPTOR, acceptor);
                    } else if (listening.pipeline().get(ACCEPTOR) != acceptor) {
                        listening.pipeline().replace(ACCEPTOR, ACCEPTOR, acceptor); // a reloaded application's
                    }
                    guarded.add(listening);
                }
            }
        }
        if (guarded.isEmpty()) {
            return guarded;
        }
        LOG.infof("HTTP connections guarded on %s: request heads within %s, bodies within %s, at most %d open connections",
                guarded.stream().map(c -> String.valueOf(c.localAddress())).toList(), headerTimeout, bodyTimeout, maxConnections);
        return guarded;
    }

    /** Every accepted connection, before Vert.x sets it up: over the limit it is closed, otherwise guarded. */
    @ChannelHandler.Sharable
    private final class Acceptor extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Channel connection = (Channel) msg;
            if (open.incrementAndGet() > maxConnections) {
                open.decrementAndGet();
                metrics.httpConnectionRejected();
                connection.unsafe().closeForcibly();
                return;
            }
            connection.closeFuture().addListener(closed -> open.decrementAndGet());
            connection.pipeline().addFirst(ConnectionGuard.HEAD, new ConnectionGuard(ConnectionGuards.this).head());
            ctx.fireChannelRead(msg);
        }
    }

    @Override
    public Duration headerTimeout() {
        return headerTimeout;
    }

    @Override
    public Duration bodyTimeout() {
        return bodyTimeout;
    }

    @Override
    public int maxInitialLineLength() {
        return maxInitialLineLength;
    }

    @Override
    public long maxHeaderSize() {
        return maxHeaderSize;
    }

    /** A refusal on the operation's paths is a terminate request's outcome: counted and audited, with its id in the MDC. */
    @Override
    public void refused(OperationPath path, String requestId, HttpRefusal refusal) {
        LOG.debugf("Refused request %s before routing: %s", requestId, refusal.getMessage());
        if (path.onOperationPrefix()) {
            MDC.put(RequestIds.MDC_KEY, requestId);
            try {
                outcomes.record(new TerminateTrace(requestId, path.flavour().tag(), path.vm(), path.pid()), refusal);
            } finally {
                MDC.remove(RequestIds.MDC_KEY);
            }
        }
    }

    @Override
    public void timedOut(String phase) {
        metrics.httpRequestTimeout(phase);
    }

    private static Field bindFuture() {
        try {
            Field bound = TCPServerBase.class.getDeclaredField("bindFuture");
            bound.setAccessible(true);
            return bound;
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("The HTTP connection guard cannot reach the listening socket of Vert.x's HTTP"
                    + " server (TCPServerBase.bindFuture); has Vert.x changed? " + e, e);
        }
    }

    private static Channel listeningSocket(HttpServerImpl server) {
        try {
            @SuppressWarnings("unchecked")
            Future<Channel> channel = (Future<Channel>) bindFuture().get(server);
            if (channel == null || !channel.succeeded()) {
                throw new IllegalStateException("the server is not listening");
            }
            return channel.result();
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("The HTTP connection guard cannot reach the listening socket of Vert.x's HTTP"
                    + " server (TCPServerBase.bindFuture); has Vert.x changed? " + e, e);
        }
    }

    /**
     * {@code quarkus.http.idle-timeout} closes a connection that neither sends nor receives for that long, also while
     * its terminate request runs: it must outlast the longest request, or an answer is lost with its connection.
     */
    private static void warnWhenIdleTimeoutCutsRequests(Config config) {
        Duration idle = config.getOptionalValue("quarkus.http.idle-timeout", Duration.class).orElse(Duration.ofMinutes(30));
        Duration deadline = config.getOptionalValue("gateway.resilience.deadline", Duration.class).orElse(Duration.ofMinutes(1));
        if (idle.compareTo(deadline) <= 0) {
            LOG.warnf("quarkus.http.idle-timeout (%s) is not longer than gateway.resilience.deadline (%s): a connection"
                    + " whose terminate request runs that long is closed before its answer. Keep the idle timeout above"
                    + " the deadline.", idle, deadline);
        }
    }

    private static Duration positive(Duration d, String property) {
        if (d.isZero() || d.isNegative()) {
            throw new IllegalStateException(property + " must be positive, not " + d);
        }
        return d;
    }
}
