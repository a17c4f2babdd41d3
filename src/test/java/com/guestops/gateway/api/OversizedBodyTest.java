package com.guestops.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.guestops.gateway.support.LogCapture;
import com.guestops.gateway.support.MetricsScrape;
import com.guestops.gateway.support.Simulators;
import com.guestops.gateway.support.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import jakarta.inject.Inject;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A body over 64 KiB gets the same answer over HTTP/1.1 and HTTP/2 (h2c with prior knowledge), declared with a
 * {@code Content-Length} or not: 400 {@code invalid_argument} {@code body.too_large} in the flavour's shape, with
 * its request id, counted once and audited, and nothing forwarded.
 */
@QuarkusTest
class OversizedBodyTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SIZE = 100_000;

    @Inject
    Vertx vertx;

    @Inject
    Simulators simulators;

    private HttpClient http1;
    private HttpClient http2;

    @BeforeEach
    void clients() {
        simulators.resetAll();
        HttpClientOptions options = new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(RestAssured.port);
        http1 = vertx.createHttpClient(new HttpClientOptions(options).setProtocolVersion(HttpVersion.HTTP_1_1));
        http2 = vertx.createHttpClient(new HttpClientOptions(options).setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false));
    }

    @AfterEach
    void close() throws Exception {
        http1.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        http2.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    static Stream<Arguments> cases() {
        return Stream.of(Flavour.values()).flatMap(f -> Stream.of(HttpVersion.HTTP_1_1, HttpVersion.HTTP_2)
                .flatMap(v -> Stream.of(Arguments.of(f, v, true), Arguments.of(f, v, false))));
    }

    record Answer(int status, HttpVersion version, MultiMap headers, String body) {
    }

    @ParameterizedTest(name = "{0} over {1}, content-length declared: {2}")
    @MethodSource("cases")
    void oversizedBodyIsRefusedCountedAndAudited(Flavour flavour, HttpVersion version, boolean declared) throws Exception {
        String requestId = "big-" + UUID.randomUUID();
        MetricsScrape before = MetricsScrape.take();
        Answer answer;
        try (LogCapture log = LogCapture.start()) {
            answer = send(version == HttpVersion.HTTP_2 ? http2 : http1, flavour, requestId, declared);

            assertThat(answer.version()).isEqualTo(version);
            assertThat(answer.status()).as(answer.body()).isEqualTo(400);
            assertThat(answer.headers().get("Content-Type")).startsWith("application/json");
            assertThat(answer.headers().get("X-Request-Id")).isEqualTo(requestId);
            JsonNode body = JSON.readTree(answer.body());
            JsonNode messages = flavour == Flavour.REST ? body.path("value").path("messages") : body.path("messages");
            assertThat(flavour == Flavour.REST ? body.path("type").asText() : body.path("error_type").asText())
                    .isEqualTo(flavour == Flavour.REST ? "com.vmware.vapi.std.errors.invalid_argument" : "INVALID_ARGUMENT");
            assertThat(messages.get(0).path("id").asText()).isEqualTo("com.guestops.gateway.validation.body.too_large");
            // audited once, with the request id and the vm and pid as sent
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).untilAsserted(() -> assertThat(log.lines())
                    .filteredOn(l -> l.startsWith("com.guestops.gateway.audit ") && l.contains(requestId))
                    .singleElement().asString().contains("vm-1").contains("1000").contains("invalid_argument"));
        }
        MetricsScrape after = MetricsScrape.take();
        assertThat(after.delta(before, "guestops_terminate_requests_total", "flavour", flavour.tag(), "host", "none",
                "outcome", "invalid_argument", "source", "gateway")).isEqualTo(1.0);
        assertThat(after.delta(before, "guestops_terminate_requests_total")).isEqualTo(1.0);
        assertThat(simulators.demo().totalCalls()).isZero();
    }

    private static Answer send(HttpClient client, Flavour flavour, String requestId, boolean declared) throws Exception {
        String prefix = "{\"credentials\":{\"type\":\"USERNAME_PASSWORD\",\"user_name\":\"root\",\"password\":\"vmware\"},\"pad\":\"";
        Buffer body = Buffer.buffer(prefix + "x".repeat(SIZE - prefix.length() - 2) + "\"}");
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST)
                .setURI("/" + flavour.tag() + "/vcenter/vm/vm-1/guest/processes/1000?action=delete")
                .putHeader("Content-Type", "application/json")
                .putHeader("Authorization", "Bearer " + TestTokens.suite())
                .putHeader("X-Request-Id", requestId);
        return client.request(options).compose(request -> {
            if (declared) {
                request.putHeader("Content-Length", Integer.toString(body.length()));
                request.write(body.getBuffer(0, 1024)); // the head goes out first; the answer may come before the rest
                request.end(body.getBuffer(1024, body.length()));
            } else {
                request.setChunked(true); // HTTP/1.1: chunked; HTTP/2: DATA frames without a content-length
                for (int i = 0; i < body.length(); i += 8192) {
                    request.write(body.getBuffer(i, Math.min(body.length(), i + 8192)));
                }
                request.end();
            }
            return request.response().compose(response -> response.body()
                    .map(b -> new Answer(response.statusCode(), response.version(), response.headers(), b.toString())));
        }).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
}
