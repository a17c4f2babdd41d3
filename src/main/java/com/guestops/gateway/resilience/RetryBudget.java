package com.guestops.gateway.resilience;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Caps retries to a share of a host's requests over a sliding window, so a busy host is not stormed
 * by retries on top of its normal load: a retry is allowed while
 * {@code retries < max(minRetries, ratio * requests)} over the last {@code window}.
 *
 * <p>The window is split into ten buckets; counts age out bucket by bucket. Synchronized: the
 * critical section is a few array operations, far cheaper than the host call it guards.
 */
public final class RetryBudget {

    private static final int BUCKETS = 10;

    private final double ratio;
    private final int minRetries;
    private final long bucketNanos;
    private final LongSupplier clock;
    private final long[] requests = new long[BUCKETS];
    private final long[] retries = new long[BUCKETS];
    private final long[] bucketEpoch = new long[BUCKETS];

    public RetryBudget(double ratio, int minRetries, Duration window) {
        this(ratio, minRetries, window, System::nanoTime);
    }

    RetryBudget(double ratio, int minRetries, Duration window, LongSupplier clock) {
        this.ratio = ratio;
        this.minRetries = minRetries;
        this.bucketNanos = Math.max(1, window.toNanos() / BUCKETS);
        this.clock = clock;
    }

    /** Counts one request (its first attempt). */
    public synchronized void onRequest() {
        requests[bucket()]++;
    }

    /** Takes one retry from the budget; false when the budget is spent (the caller gets the failure). */
    public synchronized boolean tryAcquireRetry() {
        int current = bucket();
        long requestSum = 0;
        long retrySum = 0;
        for (int i = 0; i < BUCKETS; i++) {
            requestSum += requests[i];
            retrySum += retries[i];
        }
        if (retrySum >= Math.max(minRetries, (long) Math.floor(ratio * requestSum))) {
            return false;
        }
        retries[current]++;
        return true;
    }

    public synchronized void reset() {
        java.util.Arrays.fill(requests, 0);
        java.util.Arrays.fill(retries, 0);
        java.util.Arrays.fill(bucketEpoch, 0);
    }

    /** Index of the current bucket, clearing buckets that have aged out of the window. */
    private int bucket() {
        long epoch = clock.getAsLong() / bucketNanos;
        int index = (int) Math.floorMod(epoch, BUCKETS);
        if (bucketEpoch[index] != epoch) {
            bucketEpoch[index] = epoch;
            requests[index] = 0;
            retries[index] = 0;
        }
        for (int i = 0; i < BUCKETS; i++) {
            if (epoch - bucketEpoch[i] >= BUCKETS) {
                requests[i] = 0;
                retries[i] = 0;
            }
        }
        return index;
    }
}
