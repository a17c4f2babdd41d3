package com.guestops.gateway.resilience;

/**
 * Told about every attempt a guarded host makes for one request, so the request's record (audit,
 * trace, the honest "may have happened" of a deadline answer) holds what really happened at the host.
 * Called from whichever thread ran the attempt; implementations are thread-safe.
 */
public interface AttemptListener {

    /** An attempt is about to call {@code host}. */
    void attemptStarted(String host);

    /**
     * That attempt ended.
     *
     * @param result          {@code success}, a vAPI error type, {@code timeout} or {@code transport_error}
     *                        (the {@code result} tag of {@code guestops_host_attempts_total})
     * @param mayHaveHappened whether the operation may have taken place at the host (always true on success)
     */
    void attemptEnded(String host, String result, boolean mayHaveHappened);

    AttemptListener NONE = new AttemptListener() {
        @Override
        public void attemptStarted(String host) {
        }

        @Override
        public void attemptEnded(String host, String result, boolean mayHaveHappened) {
        }
    };
}
