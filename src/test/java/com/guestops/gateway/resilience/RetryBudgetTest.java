package com.guestops.gateway.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Envoy's retry budget: a floor of concurrent retries, then a share of the active requests. */
class RetryBudgetTest {

    private final RetryBudget budget = new RetryBudget(0.2, 3);

    @Test
    void aLoneRequestAlwaysGetsItsRetriesOneAfterTheOther() {
        for (int request = 0; request < 10; request++) {
            budget.requestStarted();
            for (int retry = 0; retry < 3; retry++) {
                assertThat(budget.tryStartRetry()).as("request %d, retry %d", request, retry).isTrue();
                budget.retryEnded();
            }
            budget.requestEnded();
        }
    }

    @Test
    void upToMinConcurrentRetriesMayBeInFlightWhateverTheTraffic() {
        budget.requestStarted();
        assertThat(budget.tryStartRetry()).isTrue();
        assertThat(budget.tryStartRetry()).isTrue();
        assertThat(budget.tryStartRetry()).isTrue();
        assertThat(budget.tryStartRetry()).isFalse();
        budget.retryEnded();
        assertThat(budget.tryStartRetry()).as("a retry that ended frees its place").isTrue();
    }

    @Test
    void beyondTheFloorRetriesInFlightStayUnderTheRatioOfActiveRequests() {
        for (int i = 0; i < 100; i++) {
            budget.requestStarted();
        }
        int granted = 0;
        while (budget.tryStartRetry()) {
            granted++;
        }
        assertThat(granted).isEqualTo(20);
        for (int i = 0; i < 50; i++) {
            budget.requestEnded();
        }
        budget.retryEnded();
        assertThat(budget.tryStartRetry()).as("19 in flight for 50 active requests").isFalse();
    }
}
