package com.guestops.gateway.host;

import com.guestops.gateway.error.VapiException;
import io.smallrye.mutiny.Uni;

/**
 * One host that can terminate guest processes for the VMs it owns. Implementations are
 * non-blocking: {@link #terminate} returns at once and completes when the host has answered.
 *
 * <p>The returned {@code Uni} is lazy: each subscription is one real call to the host (retries rely
 * on that). It fails with a {@link VapiException} when the host gave a definite answer, and with any
 * other exception for transport failures (connection refused, reset, timeout).
 */
public interface HostClient {

    String name();

    HostType type();

    Uni<Void> terminate(String vm, long pid, GuestCredentials credentials);

    /**
     * Whether this host owns the VM (discovery). Completes with true or false when the host answered
     * definitively; fails when it could not tell (unreachable, timeout, unexpected answer).
     */
    default Uni<Boolean> owns(String vm) {
        return Uni.createFrom().failure(new UnsupportedOperationException("host type " + type() + " cannot look up VMs"));
    }
}
