package com.guestops.gateway.observability;

import static com.guestops.gateway.support.VapiCall.delete;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.guestops.gateway.api.Flavour;
import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.support.LogCapture;
import com.guestops.gateway.support.Simulators;
import com.guestops.gateway.support.VapiAnswer;
import com.guestops.gateway.support.VapiCall;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The audit tells what happened at the host (issue 12, item 9): the line is written when the last
 * attempt ends, with the caller's answer beside the host's real result.
 */
@QuarkusTest
class AuditTimingTest {

    private static final String OPS = VapiCall.usernamePassword("ops", "ops-pass");

    @Inject
    Simulators simulators;

    @BeforeEach
    void reset() {
        simulators.resetAll();
    }

    private static List<JsonNode> audit(LogCapture log, String requestId) {
        return log.auditLines(requestId);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aKillThatSucceedsAfterTheCallersDeadlineIsAuditedAsItHappened(Flavour f) {
        String requestId = "audit-" + UUID.randomUUID();
        try (LogCapture log = LogCapture.start()) {
            long start = System.nanoTime();
            VapiAnswer answer = delete(f, "vm-slow", 7).body(OPS).header("X-Request-Id", requestId)
                    .header("X-Request-Timeout", "300ms").send().assertError(503, ErrorType.SERVICE_UNAVAILABLE);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the caller does not wait for the slow attempt")
                    .isLessThan(Duration.ofMillis(1500));
            assertThat(answer.messageIds()).containsExactly("com.guestops.gateway.deadline_exceeded");
            assertThat(answer.defaultMessages()).singleElement().asString().contains("may or may not have been terminated");
            assertThat(audit(log, requestId)).as("no audit line before the attempt ended").isEmpty();

            await().atMost(Duration.ofSeconds(10)).until(() -> audit(log, requestId).size() == 1);
            JsonNode line = audit(log, requestId).get(0);
            assertThat(line.path("outcome").asText()).isEqualTo("service_unavailable");
            assertThat(line.path("source").asText()).isEqualTo("gateway");
            assertThat(line.path("host_result").asText()).isEqualTo("success");
            assertThat(line.path("attempts").asInt()).isEqualTo(1);
            assertThat(line.path("duration_ms").asLong()).isGreaterThanOrEqualTo(1900);
            assertThat(simulators.host("slow").calls("vm-slow")).isEqualTo(1);
        }
    }
}
