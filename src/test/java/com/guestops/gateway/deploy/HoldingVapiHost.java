package com.guestops.gateway.deploy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A vCenter's vAPI REST surface on loopback, as much as the gateway's {@code vapi} host client uses:
 * {@code POST /api/session} logs in, and a terminate call succeeds ({@code 204}) — at once, or, for the
 * pids it was told to hold, only when the test releases them (bounded at 30 s), so that a call is still
 * at the host when the gateway gets SIGTERM. It counts every terminate call it receives.
 */
final class HoldingVapiHost implements AutoCloseable {

    private static final Pattern TERMINATE = Pattern.compile("/api/vcenter/vm/([^/]+)/guest/processes/(\\d+)");

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final Map<Long, CountDownLatch> held = new ConcurrentHashMap<>();
    private final Map<Long, CountDownLatch> arrived = new ConcurrentHashMap<>();
    private final AtomicInteger terminates = new AtomicInteger();

    private HoldingVapiHost() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(threads);
        server.createContext("/api/session", this::session);
        server.createContext("/api/vcenter/vm/", this::terminate);
        server.start();
    }

    /** Starts the host; terminate calls for {@code heldPids} wait for {@link #release(long)}. */
    static HoldingVapiHost start(long... heldPids) throws IOException {
        HoldingVapiHost host = new HoldingVapiHost();
        for (long pid : heldPids) {
            host.held.put(pid, new CountDownLatch(1));
            host.arrived.put(pid, new CountDownLatch(1));
        }
        return host;
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Terminate calls received so far (whether answered yet or not). */
    int terminates() {
        return terminates.get();
    }

    /** Whether the call for a held pid has reached the host. */
    boolean arrived(long pid) {
        return arrived.get(pid).getCount() == 0;
    }

    void release(long pid) {
        held.get(pid).countDown();
    }

    private void session(HttpExchange exchange) throws IOException {
        if ("POST".equals(exchange.getRequestMethod())) {
            answer(exchange, 201, "\"session-1\"");
        } else {
            answer(exchange, 200, "{\"user\":\"svc-guestops\"}");
        }
    }

    private void terminate(HttpExchange exchange) throws IOException {
        Matcher m = TERMINATE.matcher(exchange.getRequestURI().getPath());
        if (!"POST".equals(exchange.getRequestMethod()) || !m.matches()) {
            answer(exchange, 404, "{\"error_type\":\"NOT_FOUND\",\"messages\":[]}");
            return;
        }
        exchange.getRequestBody().readAllBytes();
        terminates.incrementAndGet();
        long pid = Long.parseLong(m.group(2));
        CountDownLatch hold = held.get(pid);
        if (hold != null) {
            arrived.get(pid).countDown();
            try {
                hold.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        exchange.sendResponseHeaders(204, -1);
        exchange.close();
    }

    private static void answer(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    @Override
    public void close() {
        held.values().forEach(CountDownLatch::countDown);
        server.stop(0);
        threads.shutdownNow();
    }
}
