package com.guestops.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link Flavour#under}: the request id and the body cap run on a route without a path that checks the prefix itself.
 * Here Vert.x Web's own routes {@code /api/*} and {@code /rest/*}, which those two used before, are the oracle: for
 * every request target below, both say the same.
 */
class FlavourPrefixTest {

    private static Vertx vertx;
    private static HttpServer server;
    private static HttpClient client;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        for (Flavour flavour : Flavour.values()) {
            router.route("/" + flavour.tag() + "/*").handler(ctx -> {
                ctx.put("vertx", flavour.name());
                ctx.next();
            });
        }
        router.route().handler(ctx -> ctx.response().end(ctx.get("vertx", "none") + " " + name(Flavour.under(ctx.normalizedPath()))));
        server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").toCompletionStage()
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        client = vertx.createHttpClient();
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static String name(Flavour flavour) {
        return flavour == null ? "none" : flavour.name();
    }

    @Test
    void theSameAsVertxWebsPrefixRoutes() throws Exception {
        List<String> targets = new ArrayList<>(List.of("/", "/api", "/api/", "/api/x", "/api//x", "/apix", "/ap", "/rest",
                "/rest/", "/rest/vcenter/vm/vm-1/guest/processes/1", "/restx", "/API/x", "/Rest/x", "/x/api/", "/x/rest",
                "/api/../rest/x", "/rest/../api/x", "/api/./x", "/./api/x", "/%61pi/x", "/%72est", "/api%2Fx", "/rest%2F",
                "/api?x=1", "/rest?", "/api#x", "/q/health", "/q/metrics", "/api/vcenter/vm/vm-1/guest/processes/1?action=delete",
                "/..", "/../api/x", "/api/..", "/rest/.."));
        for (String start : List.of("", "/", "/api", "/rest", "/a", "/r")) {
            for (String rest : List.of("", "/", "x", "/x", "i", "st", "%2F", "/..", "/.", "//", "?a", "pi", "est/")) {
                targets.add(start.isEmpty() ? "/" + rest : start + rest);
            }
        }
        Map<String, String> seen = new LinkedHashMap<>();
        for (String target : targets) {
            String answer = client.request(HttpMethod.GET, server.actualPort(), "127.0.0.1", target)
                    .compose(r -> r.send().compose(response -> response.body()))
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).toString();
            seen.put(target, answer);
        }
        assertThat(seen).allSatisfy((target, answer) -> {
            String[] both = answer.split(" ");
            assertThat(both[1]).as(target).isEqualTo(both[0]);
        });
        // the cases the gateway depends on, spelled out
        assertThat(seen.get("/api")).isEqualTo("API API");
        assertThat(seen.get("/rest/vcenter/vm/vm-1/guest/processes/1")).isEqualTo("REST REST");
        assertThat(seen.get("/apix")).isEqualTo("none none");
        assertThat(seen.get("/q/health")).isEqualTo("none none");
    }
}
