package com.guestops.gateway.config;

/**
 * The monotonic clock behind every remembered duration (discovery TTLs, cool-downs, the refused-login
 * back-off, breaker {@code Retry-After}): a bean, so tests can run these rules forward in time with a
 * clock of their own instead of reaching into the classes that keep them. I/O timeouts are real time
 * (Vert.x timers) and never use it.
 */
@FunctionalInterface
public interface NanoClock {

    /** Nanoseconds from an arbitrary origin, as {@link System#nanoTime()}. */
    long nanoTime();

    NanoClock SYSTEM = System::nanoTime;
}
