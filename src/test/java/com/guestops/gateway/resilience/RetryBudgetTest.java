package com.guestops.gateway.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RetryBudgetTest {

    private final AtomicLong now = new AtomicLong();
    private final RetryBudget budget = new RetryBudget(0.2, 3, Duration.ofSeconds(10), now::get);

    @Test
    void allowsTheMinimumEvenWithFewRequests() {
        budget.onRequest();
        assertThat(budget.tryAcquireRetry()).isTrue();
        assertThat(budget.tryAcquireRetry()).isTrue();
        assertThat(budget.tryAcquireRetry()).isTrue();
        assertThat(budget.tryAcquireRetry()).isFalse();
    }

    @Test
    void allowsTwentyPercentOfRequests() {
        for (int i = 0; i < 100; i++) {
            budget.onRequest();
        }
        int granted = 0;
        while (budget.tryAcquireRetry()) {
            granted++;
        }
        assertThat(granted).isEqualTo(20);
    }

    @Test
    void retriesAgeOutOfTheWindow() {
        budget.onRequest();
        for (int i = 0; i < 3; i++) {
            assertThat(budget.tryAcquireRetry()).isTrue();
        }
        assertThat(budget.tryAcquireRetry()).isFalse();
        now.addAndGet(Duration.ofSeconds(11).toNanos());
        assertThat(budget.tryAcquireRetry()).isTrue();
    }
}
