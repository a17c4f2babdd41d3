package com.guestops.gateway.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.impl.VertxInternal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The kills' pool split over the event loops: never more connections than configured, each loop its own client. */
class LoopClientsTest {

    private static Vertx vertx;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(4));
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static HttpClient client(List<Integer> sizes, int connections) {
        sizes.add(connections);
        return vertx.createHttpClient(new PoolOptions().setHttp1MaxSize(connections));
    }

    @Test
    void sharesAddUpToThePoolSize() {
        List<Integer> sizes = new ArrayList<>();
        LoopClients clients = LoopClients.of(vertx, 10, n -> client(sizes, n));
        assertThat(sizes).containsExactly(3, 3, 2, 2);
        clients.close();
    }

    @Test
    void fewerConnectionsThanLoopsShareOneClient() {
        List<Integer> sizes = new ArrayList<>();
        LoopClients clients = LoopClients.of(vertx, 3, n -> client(sizes, n));
        assertThat(sizes).containsExactly(3);
        assertThat(clients.current()).isSameAs(onEachLoop(clients, 8).iterator().next());
        clients.close();
    }

    @Test
    void eachEventLoopUsesItsOwnClientAndOffALoopTheFirst() {
        LoopClients clients = LoopClients.of(vertx, 8, n -> client(new ArrayList<>(), n));
        // contexts are spread over the loops round-robin: 8 contexts reach all 4 loops, and no two loops share a client
        assertThat(onEachLoop(clients, 8)).hasSize(4);
        assertThat(clients.current()).isNotNull(); // this test thread is no event loop
        clients.close();
    }

    /** The client current() picks on each of {@code contexts} new event-loop contexts. */
    private static Set<HttpClient> onEachLoop(LoopClients clients, int contexts) {
        Set<HttpClient> seen = new HashSet<>();
        for (int i = 0; i < contexts; i++) {
            CompletableFuture<HttpClient> picked = new CompletableFuture<>();
            Context context = ((VertxInternal) vertx).createEventLoopContext(); // each on the next event loop
            context.runOnContext(v -> picked.complete(clients.current()));
            seen.add(picked.join());
        }
        return seen;
    }
}
