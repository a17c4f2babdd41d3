package com.guestops.gateway.support;

import com.guestops.gateway.config.NanoClock;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The test boot's clock: real time plus whatever the tests have skipped. Moving it forward runs every
 * remembered duration on (discovery TTLs, cool-downs, the refused-login back-off) without waiting and
 * without reaching into the classes that keep them. It replaces the production clock because the
 * production one is only a default bean.
 *
 * <p>Wall time, too, is the test boot's own: fixed at {@link #WALL_TIME}, so the simulator's process start
 * times (and so their ETags) are the same on every run. A respawned worker still gets a later start time: the
 * simulator makes each one at least a millisecond later than the one it replaces.
 */
@Singleton
public class TestClock implements NanoClock {

    /** The wall time of the test boot. */
    public static final Instant WALL_TIME = Instant.parse("2026-01-01T00:00:00Z");

    private final AtomicLong skipped = new AtomicLong();

    @Produces
    @Singleton
    static Clock wallClock() {
        return Clock.fixed(WALL_TIME, ZoneOffset.UTC);
    }

    @Override
    public long nanoTime() {
        return System.nanoTime() + skipped.get();
    }

    public void advance(Duration by) {
        skipped.addAndGet(by.toNanos());
    }

    /** Far enough for everything remembered to be forgotten: the state of a freshly started gateway. */
    public void forgetEverything() {
        advance(Duration.ofDays(1));
    }
}
