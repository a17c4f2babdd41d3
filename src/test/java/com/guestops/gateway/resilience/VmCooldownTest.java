package com.guestops.gateway.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class VmCooldownTest {

    private final AtomicLong now = new AtomicLong(1);
    private final VmCooldown cooldown = new VmCooldown(3, Duration.ofSeconds(10), 2, now::get);

    @Test
    void coolsDownAfterThresholdConsecutiveFailures() {
        assertThat(cooldown.recordUnavailable("vm-3")).isEqualTo(1);
        assertThat(cooldown.recordUnavailable("vm-3")).isEqualTo(2);
        assertThat(cooldown.remaining("vm-3")).isEmpty();
        cooldown.recordUnavailable("vm-3");
        assertThat(cooldown.remaining("vm-3")).hasValue(Duration.ofSeconds(10).toNanos());
    }

    @Test
    void afterTheCooldownOneProbeFailureStartsANewOne() {
        for (int i = 0; i < 3; i++) {
            cooldown.recordUnavailable("vm-3");
        }
        now.addAndGet(Duration.ofSeconds(11).toNanos());
        assertThat(cooldown.remaining("vm-3")).isEmpty();
        assertThat(cooldown.recordUnavailable("vm-3")).isEqualTo(3);
        assertThat(cooldown.remaining("vm-3")).isPresent();
    }

    @Test
    void anyOtherAnswerEndsTheStreak() {
        cooldown.recordUnavailable("vm-3");
        cooldown.recordUnavailable("vm-3");
        cooldown.recordOther("vm-3");
        assertThat(cooldown.recordUnavailable("vm-3")).isEqualTo(1);
    }

    @Test
    void answersFarApartAreNoStreak() {
        cooldown.recordUnavailable("vm-3");
        cooldown.recordUnavailable("vm-3");
        now.addAndGet(Duration.ofSeconds(99).toNanos());
        assertThat(cooldown.recordUnavailable("vm-3")).as("99 s apart: still a streak").isEqualTo(3);
        cooldown.recordOther("vm-3");
        cooldown.recordUnavailable("vm-3");
        cooldown.recordUnavailable("vm-3");
        now.addAndGet(Duration.ofSeconds(101).toNanos());
        assertThat(cooldown.recordUnavailable("vm-3")).as("more than ten durations apart").isEqualTo(1);
        for (int i = 0; i < 2; i++) {
            cooldown.recordUnavailable("vm-3");
        }
        assertThat(cooldown.remaining("vm-3")).isPresent();
        now.addAndGet(Duration.ofSeconds(111).toNanos()); // the cool-down ended, then ten quiet durations
        assertThat(cooldown.remaining("vm-3")).isEmpty();
        assertThat(cooldown.recordUnavailable("vm-3")).as("counting afresh").isEqualTo(1);
    }

    @Test
    void isBoundedLeastRecentlyUsedFirst() {
        cooldown.recordUnavailable("a");
        cooldown.recordUnavailable("b");
        cooldown.recordUnavailable("c");
        assertThat(cooldown.size()).isEqualTo(2);
        assertThat(cooldown.recordUnavailable("a")).as("a was evicted and starts again").isEqualTo(1);
    }
}
