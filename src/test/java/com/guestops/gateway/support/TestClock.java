package com.guestops.gateway.support;

import com.guestops.gateway.config.NanoClock;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The test boot's clock: real time plus whatever the tests have skipped. Moving it forward runs every
 * remembered duration on (discovery TTLs, cool-downs, the refused-login back-off) without waiting and
 * without reaching into the classes that keep them. It replaces the production clock because the
 * production one is only a default bean.
 */
@Singleton
public class TestClock implements NanoClock {

    private final AtomicLong skipped = new AtomicLong();

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
