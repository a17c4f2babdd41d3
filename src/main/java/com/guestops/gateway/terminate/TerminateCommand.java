package com.guestops.gateway.terminate;

import com.guestops.gateway.host.GuestCredentials;
import com.guestops.gateway.security.CallerIdentity;
import java.time.Duration;
import java.util.Optional;

/**
 * A validated request about process {@code pid} in the guest of VM {@code vm}, on behalf of {@code caller}: to
 * terminate it ({@link Action#DELETE}, maybe only if it is still the process the caller saw) or to look it up
 * ({@link Action#GET}). {@code toString()} is safe to log: credentials print redacted and the caller holds no token.
 *
 * @param requestedDeadline a shorter overall deadline the caller asked for ({@code X-Request-Timeout}), if any
 * @param caller            the authenticated subject; {@link CallerIdentity#ANONYMOUS} when callers are not checked
 * @param precondition      a delete's {@code If-Match}; empty: kill whatever holds the pid, as vCenter does
 */
public record TerminateCommand(String vm, long pid, GuestCredentials credentials, Optional<Duration> requestedDeadline,
        CallerIdentity caller, Action action, Optional<Precondition> precondition) {

    /** The operation asked for ({@code action=delete} or {@code action=get}). */
    public enum Action {
        DELETE,
        GET;

        /** As on the wire and in the audit line. */
        public String wireName() {
            return this == DELETE ? "delete" : "get";
        }
    }

    public TerminateCommand {
        requestedDeadline = requestedDeadline == null ? Optional.empty() : requestedDeadline;
        caller = caller == null ? CallerIdentity.ANONYMOUS : caller;
        action = action == null ? Action.DELETE : action;
        precondition = precondition == null ? Optional.empty() : precondition;
    }

    /** A delete with no authenticated caller (denied by scoping rules when they are in force). */
    public TerminateCommand(String vm, long pid, GuestCredentials credentials) {
        this(vm, pid, credentials, Optional.empty());
    }

    /** A delete with no authenticated caller (denied by scoping rules when they are in force). */
    public TerminateCommand(String vm, long pid, GuestCredentials credentials, Optional<Duration> requestedDeadline) {
        this(vm, pid, credentials, requestedDeadline, CallerIdentity.ANONYMOUS, Action.DELETE, Optional.empty());
    }

    public TerminateCommand withCaller(CallerIdentity newCaller) {
        return new TerminateCommand(vm, pid, credentials, requestedDeadline, newCaller, action, precondition);
    }
}
