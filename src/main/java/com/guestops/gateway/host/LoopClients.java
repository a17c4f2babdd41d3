package com.guestops.gateway.host;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.impl.VertxInternal;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * The HTTP clients of one connection pool of a host: one per Vert.x event loop, each with its share of the pool's
 * connections, or a single shared client when the pool has fewer connections than there are event loops.
 *
 * <p>Why: Vert.x lends a pooled connection to any caller, and a connection opened on one event loop serves a
 * request made on another by handing each step of the exchange over between the two threads. With one client per
 * loop, an exchange, its connection and its callbacks stay on the event loop of the request that makes it (measured:
 * about 7 % less CPU per kill, bench/HISTORY.md). The shares add up to exactly the pool's size: the host never sees
 * more connections than configured.
 */
final class LoopClients {

    private final Map<EventLoop, HttpClient> byLoop;
    private final List<HttpClient> all;

    private LoopClients(Map<EventLoop, HttpClient> byLoop, List<HttpClient> all) {
        this.byLoop = byLoop;
        this.all = all;
    }

    /**
     * @param connections the pool's size, at least 1
     * @param client      makes one client with the given number of connections
     */
    static LoopClients of(Vertx vertx, int connections, IntFunction<HttpClient> client) {
        List<EventLoop> loops = new ArrayList<>();
        for (EventExecutor executor : ((VertxInternal) vertx).getEventLoopGroup()) {
            loops.add((EventLoop) executor);
        }
        if (loops.size() < 2 || connections < loops.size()) {
            return new LoopClients(Map.of(), List.of(client.apply(connections)));
        }
        Map<EventLoop, HttpClient> byLoop = new IdentityHashMap<>();
        List<HttpClient> all = new ArrayList<>();
        for (int i = 0; i < loops.size(); i++) {
            HttpClient own = client.apply(connections / loops.size() + (i < connections % loops.size() ? 1 : 0));
            byLoop.put(loops.get(i), own);
            all.add(own);
        }
        return new LoopClients(byLoop, List.copyOf(all)); // never modified after this: safe to read from every loop
    }

    /** A pool that is one client (lookups, the session: few connections, rarely used). */
    static LoopClients single(HttpClient client) {
        return new LoopClients(Map.of(), List.of(client));
    }

    /**
     * The client of the event loop this runs on. Off an event loop (not expected: exchanges start on a request's
     * context), the first loop's: a call made there still stays within the pool's connections.
     */
    HttpClient current() {
        if (!byLoop.isEmpty() && Vertx.currentContext() instanceof ContextInternal context) {
            HttpClient own = byLoop.get(context.nettyEventLoop());
            if (own != null) {
                return own;
            }
        }
        return all.get(0);
    }

    void close() {
        all.forEach(HttpClient::close);
    }
}
