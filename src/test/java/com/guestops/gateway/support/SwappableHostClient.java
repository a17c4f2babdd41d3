package com.guestops.gateway.support;

import com.guestops.gateway.config.HostType;
import com.guestops.gateway.host.GuestCredentials;
import com.guestops.gateway.host.HostClient;
import com.guestops.gateway.host.ProcessInfo;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * A real host client (vim25, vapi) of the test boot that a test can start afresh: {@link #renew()} logs
 * the current client out and replaces it with a newly built one (no session, no cached morefs, new
 * connections), as if the gateway had just started. The guard around it is the same.
 */
public final class SwappableHostClient implements HostClient {

    private final Supplier<HostClient> build;
    private volatile HostClient current;
    /** Whether the current client has been used: an unused one is as fresh as a new one. */
    private volatile boolean used;

    SwappableHostClient(Supplier<HostClient> build) {
        this.build = build;
        this.current = build.get();
    }

    public void renew() {
        if (!used) {
            return;
        }
        used = false;
        HostClient old = current;
        current = build.get();
        try {
            old.logout().await().atMost(HostClient.LOGOUT_TIMEOUT.plusSeconds(1));
        } finally {
            old.close();
        }
    }

    @Override
    public String name() {
        return current.name();
    }

    @Override
    public HostType type() {
        return current.type();
    }

    @Override
    public HostCall<Void> terminate(String vm, long pid, GuestCredentials credentials) {
        used = true;
        return current.terminate(vm, pid, credentials);
    }

    @Override
    public HostCall<ProcessInfo> process(String vm, long pid, GuestCredentials credentials) {
        used = true;
        return current.process(vm, pid, credentials);
    }

    @Override
    public Uni<Ownership> lookup(String vm, Duration timeout) {
        used = true;
        return current.lookup(vm, timeout);
    }

    @Override
    public Uni<Void> logout() {
        return current.logout();
    }

    @Override
    public void close() {
        current.close();
    }
}
