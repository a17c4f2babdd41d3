package com.guestops.gateway.support;

import com.guestops.gateway.host.HostClient;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The real-protocol hosts of the shared test boot (played by {@link HostMocks} and the vcsim of
 * {@link Vcsim}) and a way back to a known state: no stubs, an empty request journal, fresh clients
 * (no session, no cached morefs), closed breakers, nothing remembered.
 */
@ApplicationScoped
public class RealHosts {

    @Inject
    TestHostClientFactory clients;

    @Inject
    CircuitBreakerMaintenance breakers;

    @Inject
    TestClock clock;

    public HostClient client(String name) {
        return clients.real(name);
    }

    public void reset() {
        clients.all().values().forEach(client -> {
            if (client instanceof SwappableHostClient real) {
                real.renew();
            }
        });
        HostMockServer.reset();
        breakers.resetAll();
        clock.forgetEverything();
    }
}
