package com.guestops.gateway.terminate;

import com.guestops.gateway.host.GuestCredentials;
import com.guestops.gateway.security.CallerIdentity;
import java.time.Duration;
import java.util.Optional;

/**
 * A validated request to terminate process {@code pid} in the guest of VM {@code vm}, on behalf of
 * {@code caller}. {@code toString()} is safe to log: credentials print redacted and the caller holds no token.
 *
 * @param requestedDeadline a shorter overall deadline the caller asked for ({@code X-Request-Timeout}), if any
 * @param caller            the authenticated subject; {@link CallerIdentity#ANONYMOUS} when callers are not checked
 */
public record TerminateCommand(String vm, long pid, GuestCredentials credentials, Optional<Duration> requestedDeadline,
        CallerIdentity caller) {

    public TerminateCommand {
        requestedDeadline = requestedDeadline == null ? Optional.empty() : requestedDeadline;
        caller = caller == null ? CallerIdentity.ANONYMOUS : caller;
    }

    /** A command with no authenticated caller (denied by scoping rules when they are in force). */
    public TerminateCommand(String vm, long pid, GuestCredentials credentials) {
        this(vm, pid, credentials, Optional.empty());
    }

    /** A command with no authenticated caller (denied by scoping rules when they are in force). */
    public TerminateCommand(String vm, long pid, GuestCredentials credentials, Optional<Duration> requestedDeadline) {
        this(vm, pid, credentials, requestedDeadline, CallerIdentity.ANONYMOUS);
    }

    public TerminateCommand withCaller(CallerIdentity newCaller) {
        return new TerminateCommand(vm, pid, credentials, requestedDeadline, newCaller);
    }
}
