package com.guestops.bench;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * Leg v of bench/run.sh: the least a JVM reverse proxy on the gateway's Vert.x does for one terminate call,
 * so the summary can say how far the gateway is above the JVM's floor for one forwarding hop.
 *
 * <p>It accepts the POST, reads its body (capped), forwards it to the backend with the same method, path and
 * query, {@code Content-Type} and the session header a vAPI backend wants ({@code vmware-api-session-id}),
 * over a keep-alive pool, and relays the backend's status, {@code Content-Type} and body. Nothing else: no
 * routing, validation, retries, breaker, metrics, audit or authentication. One verticle per event loop (as
 * Quarkus runs its HTTP server), each with its own client pool; every backend call is bounded by a timeout.
 *
 * <p>Usage: {@code MinimalProxy --port 18085 --backend-port 18081 [--pool 128]}. Prints one line when it
 * listens; stops on SIGTERM.
 */
public final class MinimalProxy extends AbstractVerticle {

    private static final int MAX_BODY = 64 * 1024;
    private static final long BACKEND_TIMEOUT_MS = 10_000;

    private final int port;
    private final int backendPort;
    private final int poolPerLoop;

    private MinimalProxy(int port, int backendPort, int poolPerLoop) {
        this.port = port;
        this.backendPort = backendPort;
        this.poolPerLoop = poolPerLoop;
    }

    @Override
    public void start(Promise<Void> started) {
        HttpClient client = vertx.createHttpClient(
                new HttpClientOptions().setKeepAlive(true).setPipelining(false),
                new PoolOptions().setHttp1MaxSize(poolPerLoop));
        vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port).setAcceptBacklog(4096))
                .requestHandler(req -> forward(client, req, backendPort))
                .listen()
                .<Void>mapEmpty()
                .onComplete(started);
    }

    /** The forwarding itself; also leg q's route ({@code bench/loadgen/quarkus-floor}, which compiles this file). */
    static void forward(HttpClient client, HttpServerRequest in, int backendPort) {
        String length = in.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length == null || !length.matches("[0-9]{1,9}") || Integer.parseInt(length) > MAX_BODY) {
            in.response().setStatusCode(length == null ? 411 : 413).end();
            return;
        }
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
    }

    public static void main(String[] args) {
        int port = 18085;
        int backendPort = 18081;
        int pool = 128;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                case "--backend-port" -> backendPort = Integer.parseInt(args[i + 1]);
                case "--pool" -> pool = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        // as many event loops as Quarkus starts by default (2 per CPU), one server verticle on each
        int loops = VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE;
        int poolPerLoop = Math.max(1, (pool + loops - 1) / loops);
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops));
        int listenPort = port;
        int backend = backendPort;
        vertx.deployVerticle(() -> new MinimalProxy(listenPort, backend, poolPerLoop),
                        new DeploymentOptions().setInstances(loops))
                .onSuccess(id -> System.out.println("MinimalProxy listening on 127.0.0.1:" + listenPort + " -> 127.0.0.1:"
                        + backend + ", " + loops + " event loops, pool " + poolPerLoop + " per loop"))
                .onFailure(err -> {
                    err.printStackTrace();
                    System.exit(1);
                });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> vertx.close().toCompletionStage().toCompletableFuture()
                .orTimeout(5, java.util.concurrent.TimeUnit.SECONDS).exceptionally(e -> null).join()));
    }
}
