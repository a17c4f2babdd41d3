package com.guestops.gateway.resilience;

/**
 * Envoy's retry budget for one host: a retry may start while fewer than {@code minConcurrent} retries
 * are in flight to the host, or while retries in flight stay under {@code ratio} of the host's active
 * requests. A low-traffic caller always gets its retries; a busy host is never stormed by them.
 *
 * <p>A retry counts as in flight from the moment it is granted (its backoff included) until its attempt
 * ends. Synchronized: a few integer operations, far cheaper than the host call they guard.
 */
public final class RetryBudget {

    private final double ratio;
    private final int minConcurrent;
    private int activeRequests;
    private int activeRetries;

    public RetryBudget(double ratio, int minConcurrent) {
        this.ratio = ratio;
        this.minConcurrent = minConcurrent;
    }

    public synchronized void requestStarted() {
        activeRequests++;
    }

    public synchronized void requestEnded() {
        activeRequests--;
    }

    /** Grants one retry, or refuses it (the caller then gets the failure as it is). */
    public synchronized boolean tryStartRetry() {
        if (activeRetries < minConcurrent || activeRetries < ratio * activeRequests) {
            activeRetries++;
            return true;
        }
        return false;
    }

    public synchronized void retryEnded() {
        activeRetries--;
    }
}
