package com.guestops.gateway.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.error.VapiException;
import com.guestops.gateway.host.HostFailure;
import com.guestops.gateway.host.HostFailure.Kind;
import com.guestops.gateway.resilience.AttemptClassifier.Operation;
import com.guestops.gateway.resilience.AttemptClassifier.Verdict;
import com.guestops.gateway.resilience.AttemptClassifier.VmSignal;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every kind of host answer or failure, and what the classifier makes of it. No Quarkus boot. */
class AttemptClassifierTest {

    private static final String MAY = "may or may not have been terminated";
    private static final String NOT = "was not terminated";
    private static final String READ = "nothing was terminated";

    private static VapiException host(ErrorType type) {
        return VapiException.host(type, "vim.fault.X", "the host's own words");
    }

    private static HostFailure failure(Kind kind, boolean sent) {
        return new HostFailure(kind, "esx-1", sent, kind == Kind.REFUSED || kind == Kind.UNREACHABLE ? -1 : 502, "detail", null);
    }

    /** failure, result tag, retry?, breaker?, VM signal, may have happened?, caller's status, caller's id, words */
    static Stream<Arguments> table() {
        return Stream.of(
                row(host(ErrorType.RESOURCE_BUSY), "resource_busy", true, false, VmSignal.ANSWERED, false, 500, "vim.fault.X", null),
                row(host(ErrorType.SERVICE_UNAVAILABLE), "service_unavailable", false, true, VmSignal.TOOLS_DOWN, false, 503, "vim.fault.X", null),
                row(host(ErrorType.NOT_FOUND), "not_found", false, false, VmSignal.ANSWERED, false, 404, "vim.fault.X", null),
                row(host(ErrorType.UNAUTHENTICATED), "unauthenticated", false, false, VmSignal.ANSWERED, false, 401, "vim.fault.X", null),
                row(host(ErrorType.ERROR), "error", false, false, VmSignal.ANSWERED, false, 500, "vim.fault.X", null),
                row(failure(Kind.REFUSED, false), "transport_error", true, true, VmSignal.NONE, false, 503,
                        "com.guestops.gateway.host.unreachable", NOT),
                row(failure(Kind.UNREACHABLE, false), "transport_error", false, true, VmSignal.NONE, false, 503,
                        "com.guestops.gateway.host.unreachable", NOT),
                row(failure(Kind.CONNECTION_LOST, true), "transport_error", false, true, VmSignal.NONE, true, 503,
                        "com.guestops.gateway.host.connection_lost", MAY),
                row(failure(Kind.CONNECTION_LOST, false), "transport_error", false, true, VmSignal.NONE, false, 503,
                        "com.guestops.gateway.host.unreachable", NOT),
                row(failure(Kind.TIMEOUT, true), "timeout", false, true, VmSignal.NONE, true, 503,
                        "com.guestops.gateway.host.timeout", MAY),
                row(failure(Kind.TIMEOUT, false), "timeout", false, true, VmSignal.NONE, false, 503,
                        "com.guestops.gateway.host.timeout", NOT),
                row(failure(Kind.TOO_LARGE, true), "error", false, true, VmSignal.NONE, true, 500,
                        "com.guestops.gateway.host.bad_response", MAY),
                row(failure(Kind.BAD_RESPONSE, true), "error", false, true, VmSignal.NONE, true, 500,
                        "com.guestops.gateway.host.bad_response", MAY),
                row(failure(Kind.BAD_RESPONSE, false), "error", false, true, VmSignal.NONE, false, 500,
                        "com.guestops.gateway.host.bad_response", NOT),
                row(failure(Kind.UNAVAILABLE, true), "service_unavailable", false, true, VmSignal.NONE, true, 503,
                        "com.guestops.gateway.host.unavailable", MAY),
                row(failure(Kind.LOGIN_REFUSED, false), "service_unavailable", false, true, VmSignal.NONE, false, 503,
                        "com.guestops.gateway.host.login_failed", NOT),
                row(failure(Kind.SETUP_FAILED, false), "service_unavailable", false, true, VmSignal.NONE, false, 503,
                        "com.guestops.gateway.host.setup_failed", NOT),
                row(new IllegalStateException("a bug"), "error", false, false, VmSignal.NONE, true, 500,
                        "com.guestops.gateway.internal_error", null));
    }

    private static Arguments row(Throwable failure, String result, boolean retry, boolean breaker, VmSignal vm,
            boolean mayHaveHappened, int status, String id, String words) {
        return Arguments.of(failure, result, retry, breaker, vm, mayHaveHappened, status, id, words);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void classifies(Throwable failure, String result, boolean retry, boolean breaker, VmSignal vm, boolean mayHaveHappened,
            int status, String id, String words) {
        Verdict verdict = AttemptClassifier.classify(failure);

        assertThat(verdict.result()).isEqualTo(result);
        assertThat(verdict.retryable()).as("retry").isEqualTo(retry);
        assertThat(verdict.breakerFailure()).as("breaker").isEqualTo(breaker);
        assertThat(verdict.vm()).isEqualTo(vm);
        assertThat(verdict.mayHaveHappened()).as("may have happened").isEqualTo(mayHaveHappened);
        assertThat(verdict.callerError().type().httpStatus()).isEqualTo(status);
        assertThat(verdict.callerError().error().messages()).singleElement().satisfies(m -> {
            assertThat(m.id()).isEqualTo(id);
            if (words != null) {
                assertThat(m.defaultMessage()).contains(words);
            }
            assertThat(m.defaultMessage()).doesNotContain("detail of the host's bytes");
        });
    }

    /**
     * The process lookup: the same host answers mean the same; but a lookup that timed out, lost its connection
     * after sending or met a proxy's 502/503/504 is retried (a read is safe to repeat, a kill is not), and it
     * never "may have happened". The kill's verdict on the same failure is in {@link #table()}.
     */
    static Stream<Arguments> readTable() {
        return Stream.of(
                row(host(ErrorType.RESOURCE_BUSY), "resource_busy", true, false, VmSignal.ANSWERED, false, 500, "vim.fault.X", null),
                row(host(ErrorType.NOT_FOUND), "not_found", false, false, VmSignal.ANSWERED, false, 404, "vim.fault.X", null),
                row(host(ErrorType.SERVICE_UNAVAILABLE), "service_unavailable", false, true, VmSignal.TOOLS_DOWN, false, 503, "vim.fault.X", null),
                row(failure(Kind.REFUSED, false), "transport_error", true, true, VmSignal.NONE, false, 503,
                        "com.guestops.gateway.host.unreachable", NOT),
                row(failure(Kind.UNREACHABLE, false), "transport_error", false, true, VmSignal.NONE, false, 503,
                        "com.guestops.gateway.host.unreachable", NOT),
                row(failure(Kind.CONNECTION_LOST, true), "transport_error", true, true, VmSignal.NONE, false, 503,
                        "com.guestops.gateway.host.connection_lost", READ),
                row(failure(Kind.TIMEOUT, true), "timeout", true, true, VmSignal.NONE, false, 503,
                        "com.guestops.gateway.host.timeout", READ),
                row(failure(Kind.UNAVAILABLE, true), "service_unavailable", true, true, VmSignal.NONE, false, 503,
                        "com.guestops.gateway.host.unavailable", READ),
                row(failure(Kind.BAD_RESPONSE, true), "error", false, true, VmSignal.NONE, false, 500,
                        "com.guestops.gateway.host.bad_response", READ),
                row(failure(Kind.TOO_LARGE, true), "error", false, true, VmSignal.NONE, false, 500,
                        "com.guestops.gateway.host.bad_response", READ),
                row(failure(Kind.LOGIN_REFUSED, false), "service_unavailable", false, true, VmSignal.NONE, false, 503,
                        "com.guestops.gateway.host.login_failed", NOT));
    }

    @ParameterizedTest(name = "lookup: {0}")
    @MethodSource("readTable")
    void classifiesLookups(Throwable failure, String result, boolean retry, boolean breaker, VmSignal vm,
            boolean mayHaveHappened, int status, String id, String words) {
        Verdict verdict = AttemptClassifier.classify(failure, Operation.READ);

        assertThat(verdict.result()).isEqualTo(result);
        assertThat(verdict.retryable()).as("retry").isEqualTo(retry);
        assertThat(verdict.breakerFailure()).as("breaker").isEqualTo(breaker);
        assertThat(verdict.vm()).isEqualTo(vm);
        assertThat(verdict.mayHaveHappened()).as("may have happened").isEqualTo(mayHaveHappened);
        assertThat(verdict.callerError().type().httpStatus()).isEqualTo(status);
        assertThat(verdict.callerError().error().messages()).singleElement().satisfies(m -> {
            assertThat(m.id()).isEqualTo(id);
            if (words != null) {
                assertThat(m.defaultMessage()).contains(words);
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("readTable")
    void aKillThatTimedOutOrLostItsConnectionIsNeverRetriedWhereALookupIs(Throwable failure) {
        if (failure instanceof HostFailure f && f.operationSent() && f.kind() != Kind.BAD_RESPONSE && f.kind() != Kind.TOO_LARGE) {
            assertThat(AttemptClassifier.classify(failure, Operation.READ).retryable()).isTrue();
            assertThat(AttemptClassifier.classify(failure, Operation.KILL).retryable()).isFalse();
            assertThat(AttemptClassifier.classify(failure, Operation.KILL).mayHaveHappened()).isTrue();
        }
    }
}
