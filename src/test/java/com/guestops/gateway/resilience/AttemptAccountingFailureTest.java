package com.guestops.gateway.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.guestops.gateway.host.GuestCredentials;
import com.guestops.gateway.host.Secret;
import com.guestops.gateway.routing.HostRegistry;
import com.guestops.gateway.support.Simulators;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What {@link GuardedHost} does when its own accounting of an attempt throws (the request's listener here; a meter or
 * the cool-down could as well). No HTTP call can make the accounting fail, so the host is called directly, as the
 * use case calls it. An attempt whose outcome is never told would hold its bulkhead slot for good, and a success at
 * the host must be reported as one: the process is gone.
 */
@QuarkusTest
class AttemptAccountingFailureTest {

    private static final GuestCredentials OPS = new GuestCredentials.UsernamePassword("ops", Secret.of("ops-pass"), false);
    private static final Duration ANSWER_WITHIN = Duration.ofSeconds(5);

    /** Accounting that fails once each attempt has ended. */
    private static final AttemptListener FAILING = new AttemptListener() {
        @Override
        public void attemptStarted(String host) {
        }

        @Override
        public void attemptEnded(String host, String result, boolean mayHaveHappened) {
            throw new IllegalStateException("accounting failed");
        }
    };

    @Inject
    HostRegistry hosts;

    @Inject
    Simulators simulators;

    @Inject
    MeterRegistry meters;

    @BeforeEach
    @AfterEach
    void reset() {
        simulators.resetAll();
    }

    private static Deadline deadline() {
        return Deadline.unscheduled(System.nanoTime(), ANSWER_WITHIN);
    }

    private double inflight(String host) {
        return meters.get("guestops.host.inflight").tag("host", host).gauge().value();
    }

    /** More calls than the host's bulkhead has slots and places in its queue: a slot any of them kept would refuse one. */
    private static int moreThanTheBulkheadHolds(GuardedHost host) {
        return host.policy().bulkheadMaxConcurrent() + host.policy().bulkheadQueueSize() + 1;
    }

    @Test
    void aKillTheHostDidIsASuccessEvenWhenCountingItFails() {
        // tiny: one slot, one place in the queue; its VM answers after 400 ms, on a timer (as a real host would, later)
        GuardedHost tiny = hosts.host("tiny").orElseThrow();
        int calls = moreThanTheBulkheadHolds(tiny);
        for (int i = 0; i < calls; i++) {
            tiny.terminate("vm-tiny", 7, OPS, deadline(), FAILING).await().atMost(ANSWER_WITHIN);
        }

        assertThat(simulators.host("tiny").calls("vm-tiny")).isEqualTo(calls);
        assertThat(inflight("tiny")).isZero();
    }

    @Test
    void aFailureWhoseCountingFailsEndsItsAttemptAndFreesItsSlot() {
        // queue: one slot, 16 places; its VM outlasts the 200 ms attempt timeout, which fails the attempt on a timer
        GuardedHost queue = hosts.host("queue").orElseThrow();
        int calls = moreThanTheBulkheadHolds(queue);
        for (int i = 0; i < calls; i++) {
            assertThatThrownBy(() -> queue.terminate("vm-queue", 7, OPS, deadline(), FAILING).await().atMost(ANSWER_WITHIN))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("accounting failed");
        }

        assertThat(simulators.host("queue").calls("vm-queue")).isEqualTo(calls);
        assertThat(inflight("queue")).isZero();
    }
}
