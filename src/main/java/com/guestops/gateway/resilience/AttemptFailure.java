package com.guestops.gateway.resilience;

/**
 * How one failed host attempt travels through the SmallRye guard: the original failure plus the two
 * decisions this gateway makes about it (retry it? count it against the host's breaker?). Deciding
 * here, in one place, keeps the policy readable and lets the retry budget and the per-request attempt
 * count take part, which SmallRye's exception-class filters cannot express.
 */
final class AttemptFailure extends RuntimeException {

    final boolean retry;
    final boolean breakerFailure;

    AttemptFailure(Throwable cause, boolean retry, boolean breakerFailure) {
        super(cause.getMessage(), cause, false, false);
        this.retry = retry;
        this.breakerFailure = breakerFailure;
    }
}
