package com.guestops.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.guestops.gateway.support.LogCapture;
import com.guestops.gateway.support.MetricsScrape;
import com.guestops.gateway.support.RawHttp;
import com.guestops.gateway.support.RawHttp.Answer;
import com.guestops.gateway.support.Simulators;
import com.guestops.gateway.support.TestTokens;
import com.guestops.gateway.support.VapiCall;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Requests the HTTP layer refuses before any route runs (Vert.x's codec, Quarkus' URI check), sent over raw
 * sockets: each is answered in the vAPI shape of its flavour ({@code invalid_argument}, message id
 * {@code com.guestops.gateway.request.*}, the HTTP status that says the same), carries {@code X-Request-Id}, is
 * counted in {@code guestops_terminate_requests_total} (host {@code none}, source {@code gateway}) and audited,
 * and never reaches a host.
 */
@QuarkusTest
class HttpLayerAnswersTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CRLF = "\r\n";

    @Inject
    Simulators simulators;

    @Inject
    io.vertx.core.Vertx vertx;

    @BeforeEach
    void reset() {
        simulators.resetAll();
    }

    /** A terminate request with everything a valid one has, after the given request line, with the given line ending. */
    private static String request(String requestLine, String requestId, String eol, String... extraHeaders) {
        StringBuilder s = new StringBuilder(requestLine).append(eol)
                .append("Host: localhost").append(eol)
                .append("X-Request-Id: ").append(requestId).append(eol);
        for (String h : extraHeaders) {
            s.append(h).append(eol);
        }
        return s.append("Authorization: Bearer ").append(TestTokens.suite()).append(eol)
                .append("Content-Type: application/json").append(eol)
                .append("Content-Length: ").append(VapiCall.ROOT.length()).append(eol)
                .append(eol).append(VapiCall.ROOT).toString();
    }

    private static String operation(Flavour f, String vm, String pid) {
        return "/" + f.tag() + "/vcenter/vm/" + vm + "/guest/processes/" + pid + "?action=delete";
    }

    /** Sends one request on its own connection and reads the only answer; the server closes the connection after it. */
    private static Answer exchange(String request) throws Exception {
        try (RawHttp http = RawHttp.connect(10_000)) {
            List<Answer> answers = http.send(request).readAll();
            assertThat(answers).as("answers before the server closed the connection").hasSize(1);
            return answers.get(0);
        }
    }

    private static void assertRefusal(Answer answer, Flavour flavour, int status, String rule, String argument) throws Exception {
        assertThat(answer.status()).as(answer.body()).isEqualTo(status);
        assertThat(answer.header("Content-Type")).startsWith("application/json");
        assertThat(answer.header("Connection")).isEqualToIgnoringCase("close");
        assertThat(answer.header("X-Request-Id")).matches("[A-Za-z0-9._:-]{1,128}");
        JsonNode body = JSON.readTree(answer.body());
        JsonNode content = flavour == Flavour.REST ? body.path("value") : body;
        if (flavour == Flavour.REST) {
            assertThat(body.path("type").asText()).isEqualTo("com.vmware.vapi.std.errors.invalid_argument");
        } else {
            assertThat(body.path("error_type").asText()).isEqualTo("INVALID_ARGUMENT");
        }
        assertThat(content.path("messages")).hasSize(1);
        JsonNode message = content.path("messages").get(0);
        assertThat(message.path("id").asText()).isEqualTo("com.guestops.gateway.request." + rule);
        assertThat(message.path("default_message").asText()).isNotBlank();
        assertThat(message.path("args").get(0).asText()).isEqualTo(argument);
    }

    /** Counted once as the flavour's gateway-made invalid_argument, audited once with its request id, nothing forwarded. */
    private void assertCountedAndAudited(MetricsScrape before, LogCapture log, Flavour flavour, String requestId, String vm, String pid) {
        MetricsScrape after = MetricsScrape.take();
        assertThat(after.delta(before, "guestops_terminate_requests_total", "flavour", flavour.tag(), "host", "none",
                "outcome", "invalid_argument", "source", "gateway")).isEqualTo(1.0);
        assertThat(after.delta(before, "guestops_terminate_requests_total")).isEqualTo(1.0);
        Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(log.lines())
                .filteredOn(l -> l.startsWith("com.guestops.gateway.audit ") && l.contains(requestId))
                .singleElement().satisfies(line -> {
                    assertThat(line).contains("invalid_argument");
                    if (vm != null) {
                        assertThat(line).contains(vm).contains(pid);
                    }
                }));
        assertThat(simulators.demo().totalCalls()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void malformedPercentEscapeInThePath(Flavour f) throws Exception {
        String id = "zz-" + UUID.randomUUID();
        MetricsScrape before = MetricsScrape.take();
        try (LogCapture log = LogCapture.start()) {
            Answer answer = exchange(request("POST " + operation(f, "vm-1%zz", "1000") + " HTTP/1.1", id, CRLF));
            assertRefusal(answer, f, 400, "path_invalid", "path");
            assertThat(answer.header("X-Request-Id")).isEqualTo(id);
            assertCountedAndAudited(before, log, f, id, "vm-1%zz", "1000");
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void overLongRequestLine(Flavour f) throws Exception {
        MetricsScrape before = MetricsScrape.take();
        try (LogCapture log = LogCapture.start()) {
            Answer answer = exchange(request("POST " + operation(f, "vm-1", "1000") + "&pad=" + "a".repeat(5000) + " HTTP/1.1",
                    "never-read", CRLF));
            assertRefusal(answer, f, 414, "line_too_long", "request_line");
            assertThat(answer.body()).contains("4096 bytes");
            // the codec stopped inside the request line: the caller's id was never read, a new one names the request
            String id = answer.header("X-Request-Id");
            assertThat(UUID.fromString(id)).isNotNull();
            assertCountedAndAudited(before, log, f, id, "vm-1", "1000");
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void overLargeHeaderBlock(Flavour f) throws Exception {
        String id = "big-" + UUID.randomUUID();
        MetricsScrape before = MetricsScrape.take();
        try (LogCapture log = LogCapture.start()) {
            Answer answer = exchange(request("POST " + operation(f, "vm-1", "1000") + " HTTP/1.1", id, CRLF,
                    "X-Pad-1: " + "b".repeat(12_000), "X-Pad-2: " + "c".repeat(12_000)));
            assertRefusal(answer, f, 431, "headers_too_large", "headers");
            assertThat(answer.body()).contains("20480 bytes");
            assertCountedAndAudited(before, log, f, answer.header("X-Request-Id"), "vm-1", "1000");
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void bareLineFeeds(Flavour f) throws Exception {
        MetricsScrape before = MetricsScrape.take();
        try (LogCapture log = LogCapture.start()) {
            Answer answer = exchange(request("POST " + operation(f, "vm-1", "1000") + " HTTP/1.1", "lf-1", "\n"));
            assertRefusal(answer, f, 400, "malformed", "request");
            assertCountedAndAudited(before, log, f, answer.header("X-Request-Id"), "vm-1", "1000");
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void bareLineFeedInOneHeaderLine(Flavour f) throws Exception {
        String id = "lf-" + UUID.randomUUID();
        MetricsScrape before = MetricsScrape.take();
        try (LogCapture log = LogCapture.start()) {
            Answer answer = exchange(request("POST " + operation(f, "vm-1", "1000") + " HTTP/1.1", id, CRLF,
                    "X-Smuggle: a\nTransfer-Encoding: chunked"));
            assertRefusal(answer, f, 400, "malformed", "request");
            assertCountedAndAudited(before, log, f, answer.header("X-Request-Id"), "vm-1", "1000");
        }
    }

    /** Keep-alive: the refusal of a later request on a connection is the same as on a fresh one. */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void refusalAfterAValidRequestOnTheSameConnection(Flavour f) throws Exception {
        try (RawHttp http = RawHttp.connect(10_000)) {
            Answer first = http.send("GET /q/openapi HTTP/1.1\r\nHost: localhost\r\n\r\n").read();
            assertThat(first.status()).isEqualTo(200);
            List<Answer> rest = http.send(request("POST " + operation(f, "vm-1%zz", "1000") + " HTTP/1.1", "second", CRLF)).readAll();
            assertThat(rest).singleElement().satisfies(a -> assertRefusal(a, f, 400, "path_invalid", "path"));
        }
    }

    /** Pipelined: the refusal waits for the answer owed to the request before it, so answers keep their order. */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void pipelinedRefusalComesAfterTheAnswerToTheRequestBefore(Flavour f) throws Exception {
        try (RawHttp http = RawHttp.connect(10_000)) {
            String valid = request("POST " + operation(f, "vm-slow", "7") + " HTTP/1.1", "pipelined-1", CRLF)
                    .replace(VapiCall.ROOT, VapiCall.usernamePassword("ops", "ops-pass"))
                    .replace("Content-Length: " + VapiCall.ROOT.length(), "Content-Length: " + VapiCall.usernamePassword("ops", "ops-pass").length());
            List<Answer> answers = http.send(valid + request("POST " + operation(f, "vm-1", "1000") + " HTTP/1.1", "pipelined-2", "\n"))
                    .readAll();
            assertThat(answers).hasSize(2);
            assertThat(answers.get(0).status()).isEqualTo(f == Flavour.REST ? 200 : 204); // the slow host's 2 s kill
            assertThat(answers.get(0).header("X-Request-Id")).isEqualTo("pipelined-1");
            assertRefusal(answers.get(1), f, 400, "malformed", "request");
        }
    }

    /** HTTP/2 (h2c with prior knowledge): a path that is not a URI gets the same answer, on its stream. */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void malformedPercentEscapeOverHttp2(Flavour f) throws Exception {
        String id = "zz2-" + UUID.randomUUID();
        MetricsScrape before = MetricsScrape.take();
        io.vertx.core.http.HttpClient client = vertx.createHttpClient(new io.vertx.core.http.HttpClientOptions()
                .setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false)
                .setDefaultHost("127.0.0.1").setDefaultPort(io.restassured.RestAssured.port));
        try (LogCapture log = LogCapture.start()) {
            io.vertx.core.http.RequestOptions options = new io.vertx.core.http.RequestOptions()
                    .setMethod(io.vertx.core.http.HttpMethod.POST).setURI(operation(f, "vm-1%zz", "1000"))
                    .putHeader("X-Request-Id", id).putHeader("Authorization", "Bearer " + TestTokens.suite())
                    .putHeader("Content-Type", "application/json");
            Answer answer = client.request(options).compose(request -> request.send(VapiCall.ROOT)
                    .compose(response -> response.body().map(body -> new Answer(response.statusCode(), java.util.Map.of(
                            "content-type", String.valueOf(response.getHeader("Content-Type")),
                            "x-request-id", String.valueOf(response.getHeader("X-Request-Id")),
                            "connection", "close"), body.toString()))))
                    .toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertRefusal(answer, f, 400, "path_invalid", "path");
            assertThat(answer.header("X-Request-Id")).isEqualTo(id);
            assertCountedAndAudited(before, log, f, id, "vm-1%zz", "1000");
        } finally {
            client.close();
        }
    }

    /** Outside the operation's paths: the same answer in the modern shape, not a terminate request, so not counted. */
    @Test
    void otherPathsAreAnsweredInTheModernShapeAndNotCounted() throws Exception {
        MetricsScrape before = MetricsScrape.take();
        Answer answer = exchange("GET /q/openapi%zz HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assertRefusal(answer, Flavour.API, 400, "path_invalid", "path");
        Answer garbage = exchange("\u0001\u0002 not http\n\n");
        assertRefusal(garbage, Flavour.API, 400, "malformed", "request");
        assertThat(MetricsScrape.take().delta(before, "guestops_terminate_requests_total")).isZero();
    }
}
