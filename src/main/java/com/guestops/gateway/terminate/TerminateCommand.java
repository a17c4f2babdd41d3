package com.guestops.gateway.terminate;

import com.guestops.gateway.host.GuestCredentials;
import java.time.Duration;
import java.util.Optional;

/**
 * A validated request to terminate process {@code pid} in the guest of VM {@code vm}.
 *
 * @param requestedDeadline a shorter overall deadline the caller asked for ({@code X-Request-Timeout}), if any
 */
public record TerminateCommand(String vm, long pid, GuestCredentials credentials, Optional<Duration> requestedDeadline) {

    public TerminateCommand(String vm, long pid, GuestCredentials credentials) {
        this(vm, pid, credentials, Optional.empty());
    }
}
