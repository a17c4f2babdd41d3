package com.guestops.gateway.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.guestops.gateway.support.Management;
import com.guestops.gateway.support.MetricsScrape;
import com.guestops.gateway.support.RawHttp;
import com.guestops.gateway.support.RawHttp.Answer;
import com.guestops.gateway.support.TestTokens;
import com.guestops.gateway.support.VapiCall;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Slow and idle clients are cut off, and many idle connections do not starve the pod. The test profile sets
 * {@code gateway.http.header-timeout} and {@code body-timeout} to 3 s, {@code max-connections} to 2500 and
 * {@code quarkus.http.idle-timeout} to 20 s (src/test/resources/application.properties), so every wait here is a few
 * seconds, bounded.
 */
@QuarkusTest
class SlowClientsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration LIMIT = Duration.ofSeconds(3);
    /** Slack on a 2-core machine shared with other builds; the point is "cut off", not the exact millisecond. */
    private static final Duration SLACK = Duration.ofSeconds(3);

    @Inject
    Vertx vertx;

    private static String head(Flavour f, int contentLength) {
        return "POST /" + f.tag() + "/vcenter/vm/vm-1/guest/processes/1000?action=delete HTTP/1.1\r\nHost: localhost\r\n"
                + "Authorization: Bearer " + TestTokens.suite() + "\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + contentLength + "\r\n\r\n";
    }

    /** Sends {@code text} one byte every 400 ms on its own thread, until it is sent or the connection fails. */
    private static Future<?> trickle(ExecutorService pool, RawHttp http, String text) {
        return pool.submit(() -> {
            for (byte b : text.getBytes(StandardCharsets.ISO_8859_1)) {
                try {
                    http.send(new byte[] {b});
                    Thread.sleep(400);
                } catch (IOException | InterruptedException closed) {
                    return;
                }
            }
        });
    }

    private static void assertTimeout(Answer answer, Flavour f, String rule, String argument) throws IOException {
        assertThat(answer.status()).as(answer.body()).isEqualTo(408);
        assertThat(answer.header("Connection")).isEqualToIgnoringCase("close");
        assertThat(answer.header("X-Request-Id")).isNotBlank();
        JsonNode body = JSON.readTree(answer.body());
        JsonNode message = (f == Flavour.REST ? body.path("value") : body).path("messages").get(0);
        assertThat(f == Flavour.REST ? body.path("type").asText() : body.path("error_type").asText())
                .isEqualTo(f == Flavour.REST ? "com.vmware.vapi.std.errors.invalid_argument" : "INVALID_ARGUMENT");
        assertThat(message.path("id").asText()).isEqualTo("com.guestops.gateway.request." + rule);
        assertThat(message.path("args").get(0).asText()).isEqualTo(argument);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void trickledHeadIsAnswered408AndCutOff(Flavour f) throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        MetricsScrape before = MetricsScrape.take();
        try (RawHttp http = RawHttp.connect((int) LIMIT.plus(SLACK).plus(SLACK).toMillis())) {
            http.send("POST /" + f.tag() + "/vcenter/vm/vm-1/guest/processes/1000?action=delete HTTP/1.1\r\n");
            long start = System.nanoTime();
            trickle(pool, http, "X-Slow: " + "a".repeat(100) + "\r\n");
            Answer answer = http.read();
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertTimeout(answer, f, "header_timeout", "headers");
            assertThat(took).isBetween(LIMIT.minusMillis(500), LIMIT.plus(SLACK));
            assertThat(http.closedByServer()).isTrue();
        } finally {
            pool.shutdownNow();
        }
        MetricsScrape after = MetricsScrape.take();
        assertThat(after.delta(before, "guestops_terminate_requests_total", "flavour", f.tag(), "host", "none",
                "outcome", "invalid_argument", "source", "gateway")).isEqualTo(1.0);
        assertThat(after.delta(before, "guestops_http_request_timeouts_total", "phase", "header")).isEqualTo(1.0);
    }

    /**
     * On a kept-alive connection every head has the whole header timeout from its own first byte: neither the time
     * the connection sat idle nor an earlier head's time counts, and a later head is still cut off on time.
     */
    @Test
    void eachHeadOfAKeptAliveConnectionHasTheHeaderTimeoutFromItsFirstByte() throws Exception {
        Duration pause = LIMIT.multipliedBy(3).dividedBy(5);
        String get = "GET /not-served HTTP/1.1\r\nHost: localhost\r\n\r\n";
        try (RawHttp http = RawHttp.connect((int) LIMIT.plus(SLACK).plus(SLACK).toMillis())) {
            http.send(get);
            assertThat(http.read().status()).isEqualTo(404);
            Thread.sleep(pause.toMillis()); // the client's pace, idle between requests
            http.send(get.substring(0, 20));
            Thread.sleep(pause.toMillis()); // more than the timeout after the first head began, less after this one's
            http.send(get.substring(20));
            assertThat(http.read().status()).as("a head complete within the timeout from its own first byte").isEqualTo(404);
            http.send(get.substring(0, 20));
            long start = System.nanoTime();
            Answer cut = http.read();
            assertThat(cut.status()).isEqualTo(408);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(LIMIT.minusMillis(500), LIMIT.plus(SLACK));
            assertThat(http.closedByServer()).isTrue();
        }
    }

    @Test
    void silentConnectionIsClosedAfterTheHeaderTimeout() throws Exception {
        MetricsScrape before = MetricsScrape.take();
        try (RawHttp http = RawHttp.connect((int) LIMIT.plus(SLACK).toMillis())) {
            long start = System.nanoTime();
            assertThat(http.closedByServer()).as("closed within the header timeout and slack").isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(LIMIT.minusMillis(500));
        }
        MetricsScrape after = MetricsScrape.take();
        assertThat(after.delta(before, "guestops_http_request_timeouts_total", "phase", "header")).isEqualTo(1.0);
        assertThat(after.delta(before, "guestops_terminate_requests_total")).as("nothing was asked, nothing is counted").isZero();
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void trickledBodyIsAnswered408AndCutOff(Flavour f) throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        MetricsScrape before = MetricsScrape.take();
        try (RawHttp http = RawHttp.connect((int) LIMIT.plus(SLACK).plus(SLACK).toMillis())) {
            http.send(head(f, VapiCall.ROOT.length()));
            long start = System.nanoTime();
            trickle(pool, http, VapiCall.ROOT);
            Answer answer = http.read();
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertTimeout(answer, f, "body_timeout", "body");
            assertThat(took).isBetween(LIMIT.minusMillis(500), LIMIT.plus(SLACK));
            assertThat(http.closedByServer()).isTrue();
        } finally {
            pool.shutdownNow();
        }
        MetricsScrape after = MetricsScrape.take();
        assertThat(after.delta(before, "guestops_terminate_requests_total", "flavour", f.tag(), "host", "none",
                "outcome", "invalid_argument", "source", "gateway")).isEqualTo(1.0);
    }

    /** HTTP/2 (h2c, prior knowledge): the same body limit, answered on the stream; the connection lives on. */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void trickledBodyOverHttp2IsAnswered408(Flavour f) throws Exception {
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false).setDefaultHost("127.0.0.1").setDefaultPort(RestAssured.port));
        try {
            RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST)
                    .setURI("/" + f.tag() + "/vcenter/vm/vm-1/guest/processes/1000?action=delete")
                    .putHeader("Authorization", "Bearer " + TestTokens.suite()).putHeader("Content-Type", "application/json");
            long start = System.nanoTime();
            CompletableFuture<Answer> answer = client.request(options).compose(request -> {
                request.setChunked(true);
                request.write(Buffer.buffer(VapiCall.ROOT.substring(0, 10))); // and the rest never comes
                return request.response().compose(r -> r.body().map(b -> new Answer(r.statusCode(),
                        java.util.Map.of("connection", "close", "x-request-id", String.valueOf(r.getHeader("X-Request-Id"))),
                        b.toString())));
            }).toCompletionStage().toCompletableFuture();
            Answer a = answer.get(LIMIT.plus(SLACK).toMillis(), TimeUnit.MILLISECONDS);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(LIMIT.minusMillis(500));
            assertTimeout(a, f, "body_timeout", "body");
        } finally {
            client.close();
        }
    }

    /**
     * 2,000 idle keep-alive connections (each has had one request answered) are held on the public port while the
     * liveness probe keeps answering within a second on the management port; connections beyond
     * {@code gateway.http.max-connections} (2500 here) are closed at once, and counted; with the public port full, the
     * management port (whose connections the limit does not count) still answers.
     */
    @Test
    void manyIdleConnectionsDoNotStarveTheProbesAndTheLimitHolds() throws Exception {
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < 2000; i++) {
                Socket socket = new Socket("127.0.0.1", RestAssured.port);
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write("GET /not-served HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                held.add(socket);
            }
            for (Socket socket : held) {
                readOneResponse(socket.getInputStream()); // answered: now an idle keep-alive connection
            }
            MetricsScrape before = MetricsScrape.take();
            assertThat(before.value("guestops_http_connections")).isGreaterThanOrEqualTo(2000);
            List<Duration> probes = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                long start = System.nanoTime();
                Management.given().get("/q/health/live").then().statusCode(200).body("status", org.hamcrest.Matchers.equalTo("UP"));
                probes.add(Duration.ofNanos(System.nanoTime() - start));
            }
            // every probe answers UP; on a machine shared with other builds one slow probe is the machine, not the pod
            assertThat(probes).as("liveness probe latencies").allSatisfy(d -> assertThat(d).isLessThan(Duration.ofSeconds(3)))
                    .filteredOn(d -> d.compareTo(Duration.ofSeconds(1)) < 0).hasSizeGreaterThanOrEqualTo(9);
            // up to the limit, and beyond: the extra ones are closed as soon as they are accepted
            int room = 2500 - (int) MetricsScrape.take().value("guestops_http_connections");
            List<Socket> extra = new ArrayList<>();
            for (int i = 0; i < room + 50; i++) {
                Socket socket = new Socket("127.0.0.1", RestAssured.port);
                socket.setSoTimeout(1_000);
                extra.add(socket);
            }
            held.addAll(extra);
            int closedAtOnce = 0;
            for (Socket socket : extra.subList(extra.size() - 50, extra.size())) {
                try {
                    closedAtOnce += socket.getInputStream().read() < 0 ? 1 : 0;
                } catch (IOException reset) {
                    closedAtOnce++;
                }
            }
            assertThat(closedAtOnce).as("connections over the limit closed within a second").isGreaterThanOrEqualTo(45);
            Management.given().get("/q/health/live").then().statusCode(200).body("status", org.hamcrest.Matchers.equalTo("UP"));
            for (Socket socket : extra) {
                socket.close(); // room again, for the scrape
            }
            Awaitility.await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() -> assertThat(
                    MetricsScrape.take().delta(before, "guestops_http_connections_rejected_total")).isGreaterThanOrEqualTo(45));
        } finally {
            for (Socket socket : held) {
                socket.close();
            }
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(MetricsScrape.take().value("guestops_http_connections")).isLessThan(100));
    }

    /** A keep-alive connection that stays idle is closed after quarkus.http.idle-timeout (20 s in the test profile). */
    @Test
    void idleKeepAliveConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        Duration idle = Duration.ofSeconds(20);
        try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
            socket.setSoTimeout((int) idle.plus(SLACK).toMillis());
            socket.getOutputStream().write("GET /not-served HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            readOneResponse(socket.getInputStream());
            long start = System.nanoTime();
            assertThat(socket.getInputStream().read()).as("end of stream: closed by the server").isNegative();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("kept open while idle for less than the idle timeout")
                    .isGreaterThan(idle.minusSeconds(1));
        }
    }

    private static void readOneResponse(InputStream in) throws IOException {
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed before a response");
            }
            matched = "\r\n\r\n".charAt(matched) == b ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        // the body (a vAPI 404): read by its content length would need the head; it is small and JSON, so read until '}' closes it
        int depth = 0;
        boolean started = false;
        while (!started || depth > 0) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed inside a response body");
            }
            if (b == '{') {
                depth++;
                started = true;
            } else if (b == '}') {
                depth--;
            }
        }
    }
}
