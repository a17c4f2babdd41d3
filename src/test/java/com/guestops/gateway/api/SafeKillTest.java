package com.guestops.gateway.api;

import static com.guestops.gateway.support.VapiCall.delete;
import static com.guestops.gateway.support.VapiCall.get;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.support.LogCapture;
import com.guestops.gateway.support.MetricsScrape;
import com.guestops.gateway.support.Simulators;
import com.guestops.gateway.support.TestClock;
import com.guestops.gateway.support.VapiAnswer;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Safe kill against the embedded simulator, through HTTP, in both flavours: the process lookup (action=get) and
 * the conditional delete (If-Match: match, mismatch, *, gone, none, malformed). The simulator's journal proves
 * which host calls were made: a mismatch never sends a kill.
 */
@QuarkusTest
class SafeKillTest {


    @Inject
    Simulators simulators;

    @BeforeEach
    void fresh() {
        simulators.resetAll();
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void getAnswersVmwaresProcessInfoAndAnETag(Flavour f) {
        VapiAnswer answer = get(f, "vm-1", 1000).send();
        String etag = answer.assertFound();

        assertThat(answer.info()).containsOnlyKeys("name", "owner", "command", "started")
                .containsEntry("name", "worker")
                .containsEntry("owner", "root")
                .containsEntry("command", "/opt/demo/worker --supervised")
                .containsEntry("started", TestClock.WALL_TIME.toString());
        // the same process, asked again: the same tag; another pid: another tag
        assertThat(get(f, "vm-1", 1000).send().assertFound()).isEqualTo(etag);
        assertThat(get(f, "vm-1", 1001).send().assertFound()).isNotEqualTo(etag);
        assertThat(simulators.demo().processLookups("vm-1")).isEqualTo(3);
        assertThat(simulators.demo().calls("vm-1")).as("kills").isZero();
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void getOfAPidTheGuestDoesNotHaveIsNotFoundWithThePid(Flavour f) {
        VapiAnswer answer = get(f, "vm-1", 4242).send().assertError(404, ErrorType.NOT_FOUND);
        assertThat(answer.data()).containsEntry("pid", 4242);
        delete(f, "vm-1", 142).send().assertSuccess(); // a one-shot process: gone after its kill
        get(f, "vm-1", 142).send().assertError(404, ErrorType.NOT_FOUND);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void getAnswersTheGuestsErrorsAsDeleteDoes(Flavour f) {
        get(f, "vm-2", 1000).send().assertError(400, ErrorType.NOT_ALLOWED_IN_CURRENT_STATE);
        get(f, "vm-1", 1000).body("{\"credentials\":{\"type\":\"USERNAME_PASSWORD\",\"user_name\":\"root\",\"password\":\"nope\"}}")
                .send().assertError(401, ErrorType.UNAUTHENTICATED);
        get(f, "vm-42", 1000).send().assertError(404, ErrorType.NOT_FOUND);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aMatchingETagKillsTheProcessAndTheRespawnedWorkerHasANewOne(Flavour f) {
        String etag = get(f, "vm-1", 1000).send().assertFound();

        delete(f, "vm-1", 1000).ifMatch(etag).send().assertSuccess();

        assertThat(simulators.demo().processLookups("vm-1")).as("lookups").isEqualTo(2);
        assertThat(simulators.demo().calls("vm-1")).as("kills").isEqualTo(1);
        VapiAnswer respawned = get(f, "vm-1", 1000).send();
        assertThat(respawned.assertFound()).isNotEqualTo(etag);
        assertThat(Instant.parse((String) respawned.info().get("started"))).isAfter(TestClock.WALL_TIME);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aStaleETagKillsNothingAndSaysWhatChanged(Flavour f) {
        String etag = get(f, "vm-1", 1000).send().assertFound();
        delete(f, "vm-1", 1000).ifMatch(etag).send().assertSuccess(); // the worker respawns with a new start time
        long killsBefore = simulators.demo().calls("vm-1");
        MetricsScrape before = MetricsScrape.take();

        VapiAnswer stale = delete(f, "vm-1", 1000).ifMatch(etag).send().assertError(409, ErrorType.CONCURRENT_CHANGE);

        assertThat(simulators.demo().calls("vm-1")).as("no kill reached the host").isEqualTo(killsBefore);
        assertThat(stale.messageIds()).containsExactly("com.guestops.gateway.process.changed");
        assertThat(stale.data()).containsEntry("pid", 1000).containsEntry("changed", "started")
                .containsEntry("expected_started", TestClock.WALL_TIME.toString())
                .containsKeys("started", "etag");
        assertThat(stale.data().get("etag")).isNotEqualTo(etag);
        assertThat(MetricsScrape.take().delta(before, "guestops_terminate_requests_total", "flavour", f.tag(), "host", "demo",
                "outcome", "precondition_failed", "source", "gateway")).isEqualTo(1.0);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void anETagOfAnotherPidOrVmNeverMatches(Flavour f) {
        String otherPid = get(f, "vm-1", 1001).send().assertFound();
        VapiAnswer answer = delete(f, "vm-1", 1000).ifMatch(otherPid).send().assertError(409, ErrorType.CONCURRENT_CHANGE);
        assertThat(answer.data()).containsEntry("changed", "process");
        delete(f, "vm-1", 1000).ifMatch("W/" + get(f, "vm-1", 1000).send().assertFound()).send()
                .assertError(409, ErrorType.CONCURRENT_CHANGE); // weak tags never match (strong comparison)
        assertThat(simulators.demo().calls("vm-1")).as("kills").isZero();
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void oneOfSeveralTagsMatching(Flavour f) {
        String etag = get(f, "vm-1", 1000).send().assertFound();
        delete(f, "vm-1", 1000).ifMatch("\"0-0000000000000000\", " + etag).send().assertSuccess();
        assertThat(simulators.demo().calls("vm-1")).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void ifMatchStarKillsAnyLiveProcessAndNothingWhenThePidIsGone(Flavour f) {
        delete(f, "vm-1", 1000).ifMatch("*").send().assertSuccess();
        delete(f, "vm-1", 142).ifMatch("*").send().assertSuccess();
        long kills = simulators.demo().calls("vm-1");

        VapiAnswer gone = delete(f, "vm-1", 142).ifMatch("*").send().assertError(404, ErrorType.NOT_FOUND);

        assertThat(gone.data()).containsEntry("pid", 142);
        assertThat(simulators.demo().calls("vm-1")).as("no kill for a process that is gone").isEqualTo(kills);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aMatchingTagOfAProcessThatIsGoneIsNotFound(Flavour f) {
        String etag = get(f, "vm-1", 150).send().assertFound();
        delete(f, "vm-1", 150).send().assertSuccess();
        delete(f, "vm-1", 150).ifMatch(etag).send().assertError(404, ErrorType.NOT_FOUND);
        assertThat(simulators.demo().calls("vm-1")).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void withoutIfMatchADeleteIsOneKillAndNoLookup(Flavour f) {
        delete(f, "vm-1", 1000).send().assertSuccess();
        assertThat(simulators.demo().calls("vm-1")).isEqualTo(1);
        assertThat(simulators.demo().processLookups("vm-1")).isZero();
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aMalformedIfMatchIsInvalidArgumentNamingTheHeader(Flavour f) {
        for (String bad : List.of("lx2k3-9f86d081884c7d65", "\"unterminated", "", "*, \"a\"", "\"a\" \"b\"")) {
            VapiAnswer answer = delete(f, "vm-1", 1000).ifMatch(bad).send().assertError(400, ErrorType.INVALID_ARGUMENT);
            assertThat(answer.messageIds()).as(bad).contains("com.guestops.gateway.validation.if_match.invalid");
            assertThat(answer.messages()).filteredOn(m -> m.get("id").toString().endsWith("if_match.invalid"))
                    .singleElement().satisfies(m -> assertThat(m.get("args")).asList().containsExactly("If-Match"));
        }
        VapiAnswer onGet = get(f, "vm-1", 1000).ifMatch("*").send().assertError(400, ErrorType.INVALID_ARGUMENT);
        assertThat(onGet.messageIds()).contains("com.guestops.gateway.validation.if_match.not_allowed");
        assertThat(simulators.demo().calls("vm-1") + simulators.demo().processLookups("vm-1")).as("nothing forwarded").isZero();
    }

    /** A deadline that passes while only a lookup is at the host says so: nothing can have been killed. */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aDeadlineDuringTheLookupSaysNothingWasTerminated(Flavour f) {
        String ops = com.guestops.gateway.support.VapiCall.usernamePassword("ops", "ops-pass");
        for (VapiAnswer answer : List.of(
                get(f, "vm-slow", 7).body(ops).header("X-Request-Timeout", "300ms").send(),
                delete(f, "vm-slow", 7).body(ops).ifMatch("*").header("X-Request-Timeout", "300ms").send())) {
            answer.assertError(503, ErrorType.SERVICE_UNAVAILABLE);
            assertThat(answer.messageIds()).containsExactly("com.guestops.gateway.deadline_exceeded");
            assertThat(answer.defaultMessages()).singleElement().asString().contains("nothing was terminated")
                    .doesNotContain("may or may not");
        }
        assertThat(simulators.host("slow").calls("vm-slow")).as("no kill sent").isZero();
    }

    @Test
    void conditionalDeletesAreAuditedWithTheirPreconditionAndWindow() {
        String etag = get(Flavour.API, "vm-1", 1000).send().assertFound();
        String matched = "req-" + UUID.randomUUID();
        String stale = "req-" + UUID.randomUUID();
        String lookup = "req-" + UUID.randomUUID();
        try (LogCapture log = LogCapture.start()) {
            delete(Flavour.API, "vm-1", 1000).ifMatch(etag).header("X-Request-Id", matched).send().assertSuccess();
            delete(Flavour.API, "vm-1", 1000).ifMatch(etag).header("X-Request-Id", stale).send()
                    .assertError(409, ErrorType.CONCURRENT_CHANGE);
            get(Flavour.API, "vm-1", 1000).header("X-Request-Id", lookup).send().assertFound();

            JsonNode ok = audit(log, matched);
            assertThat(ok.path("action").asText()).isEqualTo("delete");
            assertThat(ok.path("precondition").asText()).isEqualTo("etag");
            assertThat(ok.path("outcome").asText()).isEqualTo("success");
            assertThat(ok.path("attempt_results").toString()).isEqualTo("[\"success\",\"success\"]");
            assertThat(ok.path("precondition_window_us").isNumber()).isTrue();
            JsonNode failed = audit(log, stale);
            assertThat(failed.path("outcome").asText()).isEqualTo("precondition_failed");
            assertThat(failed.path("attempt_results").toString()).as("the lookup only").isEqualTo("[\"success\"]");
            assertThat(failed.path("precondition_window_us").isNull()).isTrue();
            JsonNode got = audit(log, lookup);
            assertThat(got.path("action").asText()).isEqualTo("get");
            assertThat(got.path("precondition").asText()).isEqualTo("none");
        }
    }

    /**
     * The window docs/api.md documents: from the lookup that matched to the start of the kill, measured by the
     * gateway itself (the audit line's precondition_window_us) over 200 conditional deletes on the simulator.
     */
    @Test
    void theLookupToKillWindowIsMeasured() {
        List<Long> windows = new ArrayList<>();
        try (LogCapture log = LogCapture.start()) {
            for (int i = 0; i < 200; i++) {
                String etag = get(Flavour.API, "vm-1", 1500).send().assertFound();
                String id = "win-" + i + "-" + UUID.randomUUID();
                delete(Flavour.API, "vm-1", 1500).ifMatch(etag).header("X-Request-Id", id).send().assertSuccess();
                windows.add(audit(log, id).path("precondition_window_us").asLong());
            }
        }
        List<Long> sorted = windows.stream().sorted().toList();
        System.out.printf("lookup-to-kill window on the simulator (us): p50=%d p99=%d max=%d%n",
                sorted.get(100), sorted.get(197), sorted.get(199));
        // a conditional delete adds one host round trip between the check and the kill, not the caller's retry interval
        assertThat(sorted.get(100)).isLessThan(50_000);
    }

    private static JsonNode audit(LogCapture log, String requestId) {
        return log.auditLines(requestId).stream().findFirst()
                .orElseThrow(() -> new AssertionError("no audit line for " + requestId));
    }
}
