package com.guestops.gateway.observability;

import static com.guestops.gateway.support.VapiCall.delete;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.guestops.gateway.api.Flavour;
import com.guestops.gateway.support.LogCapture;
import com.guestops.gateway.support.Simulators;
import com.guestops.gateway.support.VapiAnswer;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.List;
import java.util.UUID;
import java.util.logging.LogRecord;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Request ids (header, MDC) and the audit log: one structured line per request, no secret anywhere. */
@QuarkusTest
class AuditAndRequestIdTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    Simulators simulators;

    @BeforeEach
    void reset() {
        simulators.resetAll();
    }

    private static String message(LogRecord r) {
        return r instanceof ExtLogRecord ext ? ext.getFormattedMessage() : r.getMessage();
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void successIsAuditedWithEveryField(Flavour f) {
        String password = "vmware";
        String requestId = "req-" + UUID.randomUUID();
        try (LogCapture log = LogCapture.start()) {
            delete(f, "vm-4", 1000).header("X-Request-Id", requestId).send().assertSuccess();
            List<JsonNode> lines = log.auditLines(requestId);
            assertThat(lines).hasSize(1);
            JsonNode a = lines.get(0);
            assertThat(a.path("timestamp").asText()).isNotBlank();
            assertThat(a.path("flavour").asText()).isEqualTo(f.tag());
            assertThat(a.path("vm").asText()).isEqualTo("vm-4");
            assertThat(a.path("pid").asText()).isEqualTo("1000");
            assertThat(a.path("host").asText()).isEqualTo("demo");
            assertThat(a.path("guest_user").asText()).isEqualTo("root");
            assertThat(a.path("outcome").asText()).isEqualTo("success");
            assertThat(a.path("source").asText()).isEqualTo("host");
            assertThat(a.path("attempts").asInt()).isEqualTo(3);
            assertThat(a.path("duration_ms").isNumber()).isTrue();
            assertThat(a.has("caller")).isTrue();
            assertThat(log.all()).doesNotContain("\"" + password + "\"").doesNotContain("password=" + password);
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void failureIsAuditedAndNoSecretIsLogged(Flavour f) {
        String password = "S3cret-" + UUID.randomUUID();
        String token = "T0ken-" + UUID.randomUUID();
        String requestId = "req-" + UUID.randomUUID();
        try (LogCapture log = LogCapture.start()) {
            delete(f, "vm-1", 1000).header("X-Request-Id", requestId)
                    .body("{\"credentials\":{\"type\":\"USERNAME_PASSWORD\",\"user_name\":\"root\",\"password\":\"" + password + "\"}}")
                    .send().assertError(401, com.guestops.gateway.error.ErrorType.UNAUTHENTICATED);
            String invalidId = "req-" + UUID.randomUUID();
            delete(f, "vm-1", 1000).header("X-Request-Id", invalidId)
                    .body("{\"credentials\":{\"type\":\"SAML_BEARER_TOKEN\",\"saml_token\":\"" + token + "\",\"password\":\"" + password + "\"}}")
                    .send().assertError(400, com.guestops.gateway.error.ErrorType.INVALID_ARGUMENT);

            JsonNode a = log.auditLines(requestId).get(0);
            assertThat(a.path("outcome").asText()).isEqualTo("unauthenticated");
            assertThat(a.path("source").asText()).isEqualTo("host");
            assertThat(a.path("attempts").asInt()).isEqualTo(1);
            JsonNode invalid = log.auditLines(invalidId).get(0);
            assertThat(invalid.path("outcome").asText()).isEqualTo("invalid_argument");
            assertThat(invalid.path("source").asText()).isEqualTo("gateway");
            assertThat(invalid.path("host").asText()).isEqualTo("none");
            assertThat(invalid.path("attempts").asInt()).isZero();
            assertThat(log.all()).doesNotContain(password).doesNotContain(token);
        }
    }

    /**
     * Found by review: the audit line was JSON escaped inside the {@code message} of the JSON log record, so log
     * pipelines had to parse it twice. It is written by its own handler now, as one JSON object per line (fields
     * typed, at the top level, with the timestamp and logger keys of the gateway's other JSON log lines), and not
     * also through the application's console.
     */
    @Test
    void auditLineIsOneJsonObjectWrittenByItsOwnHandler() throws Exception {
        String requestId = "req-" + UUID.randomUUID();
        java.util.logging.Logger audit = java.util.logging.Logger.getLogger("com.guestops.gateway.audit");
        assertThat(audit.getUseParentHandlers()).as("the audit logger writes only through its own handler").isFalse();
        assertThat(audit.getHandlers()).as("the audit logger's own handler").hasSize(1);
        try (LogCapture log = LogCapture.start()) {
            delete(Flavour.API, "vm-4", 1000).header("X-Request-Id", requestId).send().assertSuccess();
            LogRecord record = log.records().stream()
                    .filter(r -> "com.guestops.gateway.audit".equals(r.getLoggerName()) && message(r).contains(requestId))
                    .findFirst().orElseThrow();
            String line = audit.getHandlers()[0].getFormatter().format(record);
            assertThat(line).endsWith("\n").doesNotContain("\\\"").hasLineCount(1);
            JsonNode a = JSON.readTree(line);
            assertThat(a.isObject()).isTrue();
            assertThat(a.path("loggerName").asText()).isEqualTo("com.guestops.gateway.audit");
            assertThat(java.time.Instant.parse(a.path("timestamp").asText())).isBefore(java.time.Instant.now().plusSeconds(1));
            assertThat(a.path("request_id").asText()).isEqualTo(requestId);
            assertThat(a.path("attempts").isInt()).as("attempts is a number").isTrue();
            assertThat(a.path("duration_ms").isIntegralNumber()).as("duration_ms is a number").isTrue();
            assertThat(a.path("outcome").asText()).isEqualTo("success");
            assertThat(a.path("vm").asText()).isEqualTo("vm-4");
            assertThat(a.has("message")).as("no second, escaped copy").isFalse();
        }
    }

    /** Values are JSON-escaped, never able to break the line or add fields (a vm id as sent, unvalidated). */
    @Test
    void auditValuesAreEscaped() throws Exception {
        String requestId = "req-" + UUID.randomUUID();
        try (LogCapture log = LogCapture.start()) {
            delete(Flavour.API, "vm\"\n,\"outcome\":\"success\u0007", 1000).header("X-Request-Id", requestId).send()
                    .assertError(400, com.guestops.gateway.error.ErrorType.INVALID_ARGUMENT);
            JsonNode a = log.auditLines(requestId).get(0);
            assertThat(a.path("vm").asText()).isEqualTo("vm\"\n,\"outcome\":\"success\u0007");
            assertThat(a.path("outcome").asText()).isEqualTo("invalid_argument");
        }
    }

    /** The audit names the pid exactly as it was sent; a non-canonical spelling is refused, never forwarded as another. */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void nonCanonicalPidIsAuditedAsSent(Flavour f) {
        String requestId = "req-" + UUID.randomUUID();
        try (LogCapture log = LogCapture.start()) {
            delete(f, "vm-1", "+1000").header("X-Request-Id", requestId).send()
                    .assertError(400, com.guestops.gateway.error.ErrorType.INVALID_ARGUMENT);
            JsonNode a = log.auditLines(requestId).get(0);
            assertThat(a.path("pid").asText()).isEqualTo("+1000");
            assertThat(a.path("outcome").asText()).isEqualTo("invalid_argument");
            assertThat(a.path("host").asText()).isEqualTo("none");
        }
        assertThat(simulators.demo().calls("vm-1")).isZero();
    }

    @Test
    void requestIdIsEchoedAndPutOnEveryLogLineOfTheRequest() {
        String requestId = "trace-me-" + UUID.randomUUID();
        try (LogCapture log = LogCapture.start()) {
            VapiAnswer answer = delete(Flavour.API, "vm-4", 1000).header("X-Request-Id", requestId).send().assertSuccess();
            assertThat(answer.header("X-Request-Id")).isEqualTo(requestId);
            List<ExtLogRecord> mine = log.records().stream()
                    .filter(ExtLogRecord.class::isInstance).map(ExtLogRecord.class::cast)
                    .filter(r -> r.getLoggerName().startsWith("com.guestops"))
                    .filter(r -> message(r).contains("vm-4") || message(r).contains(requestId))
                    .toList();
            assertThat(mine).hasSizeGreaterThanOrEqualTo(2); // the use case's debug line and the audit line, written after retries
            assertThat(mine).allSatisfy(r -> assertThat(r.getMdc("requestId")).isEqualTo(requestId));
        }
    }

    @Test
    void requestIdIsGeneratedWhenAbsentOrUnsafe() {
        VapiAnswer none = delete(Flavour.API, "vm-1", 1000).send();
        assertThat(UUID.fromString(none.header("X-Request-Id"))).isNotNull();
        VapiAnswer unsafe = delete(Flavour.REST, "vm-1", 1000).header("X-Request-Id", "evil\"} injected {").send();
        assertThat(unsafe.header("X-Request-Id")).doesNotContain("evil");
        assertThat(UUID.fromString(unsafe.header("X-Request-Id"))).isNotNull();
        VapiAnswer invalid = delete(Flavour.API, "vm-1", "0").header("X-Request-Id", "given-1").send();
        assertThat(invalid.header("X-Request-Id")).isEqualTo("given-1");
    }
}
