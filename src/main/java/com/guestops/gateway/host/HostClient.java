package com.guestops.gateway.host;

import com.guestops.gateway.config.HostType;
import com.guestops.gateway.error.VapiException;
import io.smallrye.mutiny.Uni;
import java.time.Duration;

/**
 * One host that can terminate guest processes for the VMs it owns, spoken to in its own protocol. The
 * client knows nothing of retries, breakers or deadlines (its guarded host, in {@code resilience},
 * carries those); it bounds each attempt by the timeout it is given and reads answers with the host's
 * size cap.
 *
 * <p>Outcomes: an item when the host did what was asked; a {@link VapiException} (source host) when the
 * host gave a definite answer of its protocol; a {@link HostFailure} when it gave none.
 *
 * <p>Each operation is one method returning a {@link HostCall}: the kill and the process lookup.
 */
public interface HostClient {

    String name();

    HostType type();

    /**
     * The kill, checked and encoded for this protocol. Input the protocol cannot carry is refused here,
     * with a {@link VapiException} ({@code invalid_argument}), before any guard or host call.
     */
    HostCall<Void> terminate(String vm, long pid, GuestCredentials credentials);

    /**
     * The process lookup ("vcenter vm guest processes: get"): what runs as {@code pid} in the VM's guest. A
     * pid the guest does not have is the host's {@code not_found} with {@code data.pid}. Input the protocol
     * cannot carry is refused here, as for {@link #terminate}.
     */
    HostCall<ProcessInfo> process(String vm, long pid, GuestCredentials credentials);

    /**
     * Discovery: whether this host owns the VM. {@link Ownership#NOT_HERE} only when the host said so in
     * its protocol's own words; a failure when it could not tell (then it is "silent").
     */
    Uni<Ownership> lookup(String vm, Duration timeout);

    /** Ends the service-account session, if one is open; bounded by {@link #LOGOUT_TIMEOUT}; never fails. */
    Uni<Void> logout();

    /** Releases the client's connections; called once, at shutdown, after {@link #logout()}. */
    default void close() {
    }

    /** How long ending a session may take: a shutdown waits at most this long for all hosts together. */
    Duration LOGOUT_TIMEOUT = Duration.ofSeconds(2);

    /** What a lookup can learn. */
    enum Ownership {
        OWNS,
        NOT_HERE
    }

    /** One operation, ready to be attempted (again and again: retries rely on it). */
    @FunctionalInterface
    interface HostCall<T> {
        /** One attempt, lazy: each subscription really calls the host, within {@code timeout}. */
        Uni<T> attempt(Duration timeout);
    }
}
