package com.guestops.bench;

import io.netty.util.concurrent.FastThreadLocal;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Leg q of bench/run.sh: leg v's forwarding ({@link MinimalProxy#forward}, compiled in from bench/loadgen/proxy: the
 * same code) as a route of a Quarkus application that has the gateway's extensions and settings, so the summary can say how much of the
 * gateway's cost above leg v is the Quarkus HTTP stack it is built on (root handler, request wrappers, router,
 * HTTP server metrics, the tracing hooks) and how much is the gateway's own work above that.
 *
 * <p>The route is a prefix route on Quarkus' router, as the gateway's operation routes are. Each event loop has its
 * own client and share of the 128 connections (as leg v's verticles have, and as the gateway's hosts have), so an
 * exchange stays on its request's event loop. Nothing else: no validation, guard, metrics, audit or authentication.
 *
 * <p>Settings: {@code floor.backend-port} (the canned backend on 127.0.0.1).
 */
@Singleton
public class QuarkusFloor {

    private static final int CONNECTIONS = 128;

    @ConfigProperty(name = "floor.backend-port")
    int backendPort;

    private FastThreadLocal<HttpClient> clients;

    void register(@Observes Router router, Vertx vertx) {
        int loops = VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE; // Quarkus' default, as MinimalProxy's main counts them
        int perLoop = Math.max(1, (CONNECTIONS + loops - 1) / loops);
        clients = new FastThreadLocal<>() {
            @Override
            protected HttpClient initialValue() {
                return vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setPipelining(false),
                        new PoolOptions().setHttp1MaxSize(perLoop));
            }
        };
        router.post("/api/*").handler(this::forward);
        router.post("/rest/*").handler(this::forward);
    }

    private void forward(RoutingContext context) {
        HttpServerRequest in = context.request();
        MinimalProxy.forward(clients.get(), in, backendPort);
        in.resume(); // Quarkus hands the request to its routes paused; forward has set its body handlers
    }
}
