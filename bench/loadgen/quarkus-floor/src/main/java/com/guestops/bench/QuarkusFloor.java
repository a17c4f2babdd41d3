package com.guestops.bench;

import io.netty.util.concurrent.FastThreadLocal;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Leg q of bench/run.sh: leg v's forwarding (bench/loadgen/proxy's MinimalProxy, the same steps) as a route of a
 * Quarkus application that has the gateway's extensions and settings, so the summary can say how much of the
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

    private static final int MAX_BODY = 64 * 1024;
    private static final long BACKEND_TIMEOUT_MS = 10_000;
    private static final int CONNECTIONS = 128;

    @ConfigProperty(name = "floor.backend-port")
    int backendPort;

    private FastThreadLocal<HttpClient> clients;

    void register(@Observes Router router, Vertx vertx) {
        int perLoop = Math.max(1, CONNECTIONS / VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE);
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
        String length = in.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length == null || !length.matches("[0-9]{1,9}") || Integer.parseInt(length) > MAX_BODY) {
            in.response().setStatusCode(length == null ? 411 : 413).end();
            return;
        }
        HttpClient client = clients.get();
        RequestOptions options = new RequestOptions().setMethod(in.method()).setHost("127.0.0.1").setPort(backendPort)
                .setURI(in.uri()).setTimeout(BACKEND_TIMEOUT_MS);
        String contentType = in.getHeader(HttpHeaders.CONTENT_TYPE);
        in.body()
                .compose(body -> client.request(options).compose(out -> {
                    if (contentType != null) {
                        out.putHeader(HttpHeaders.CONTENT_TYPE, contentType);
                    }
                    out.putHeader("vmware-api-session-id", "sess-1");
                    return out.send(body);
                }))
                .compose(resp -> resp.body().onSuccess(body -> {
                    var answer = in.response().setStatusCode(resp.statusCode());
                    String type = resp.getHeader(HttpHeaders.CONTENT_TYPE);
                    if (type != null) {
                        answer.putHeader(HttpHeaders.CONTENT_TYPE, type);
                    }
                    answer.end(body);
                }))
                .onFailure(err -> {
                    if (!in.response().ended()) {
                        in.response().setStatusCode(502).end();
                    }
                });
        in.resume(); // Quarkus hands the request to its routes paused; in.body() has set its handlers
    }
}
