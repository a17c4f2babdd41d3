package com.guestops.gateway.resilience;

import com.guestops.gateway.host.LoopTimers;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * One request's overall deadline, all attempts, backoffs and waits (for discovery, for a bulkhead
 * slot) included: one timer ({@link LoopTimers}), and everything that must happen when it passes hangs off it (the
 * caller's answer, discovery waiters leaving). Checked, not cancelled: no attempt starts after it, but
 * an attempt already at the host runs to its own timeout, so its real result is known.
 */
public final class Deadline {

    private final long atNanos;
    private final CompletableFuture<Void> passed = new CompletableFuture<>();
    private final LoopTimers.Timeout timer;

    private Deadline(Vertx vertx, long startNanos, Duration length) {
        this.atNanos = startNanos + length.toNanos();
        // set on the request's Vert.x context, so what runs when it passes runs there too
        this.timer = vertx == null ? null : LoopTimers.start(vertx, atNanos, () -> passed.complete(null));
    }

    /** A deadline {@code length} after {@code startNanos} ({@link System#nanoTime()}). */
    public static Deadline start(Vertx vertx, long startNanos, Duration length) {
        return new Deadline(vertx, startNanos, length);
    }

    /** A deadline without a timer (unit tests of what only checks it). */
    public static Deadline unscheduled(long startNanos, Duration length) {
        return new Deadline(null, startNanos, length);
    }

    public boolean passed() {
        return passed.isDone() || System.nanoTime() - atNanos >= 0;
    }

    /** Runs {@code action} once the deadline passes (never, if {@link #cancel()} comes first). */
    public void whenPassed(Runnable action) {
        passed.thenRun(action);
    }

    /** The work is over: the timer is not needed any more. */
    public void cancel() {
        if (timer != null) {
            timer.cancel();
        }
    }
}
