package com.guestops.gateway.terminate;

import com.guestops.gateway.host.GuestCredentials;

/** A validated request to terminate process {@code pid} in the guest of VM {@code vm}. */
public record TerminateCommand(String vm, long pid, GuestCredentials credentials) {
}
