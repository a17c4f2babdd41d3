package com.guestops.gateway.resilience;

import com.guestops.gateway.error.VapiException;

/**
 * How one failed host attempt travels through the SmallRye guard: the caller's answer plus the two
 * decisions made about it (retry it? count it against the host's breaker?). Deciding before the guard
 * sees the failure lets the attempt count, the deadline, the retry budget and a VM's streak take part,
 * which SmallRye's exception-class filters cannot express.
 */
final class AttemptFailure extends RuntimeException {

    final VapiException answer;
    final boolean retry;
    final boolean breakerFailure;

    AttemptFailure(VapiException answer, boolean retry, boolean breakerFailure) {
        super(answer.getMessage(), null, false, false);
        this.answer = answer;
        this.retry = retry;
        this.breakerFailure = breakerFailure;
    }
}
