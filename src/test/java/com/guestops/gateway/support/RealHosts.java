package com.guestops.gateway.support;

import com.guestops.gateway.host.vapi.VapiHostClient;
import com.guestops.gateway.host.vim25.Vim25HostClient;
import com.guestops.gateway.resilience.HostGuards;
import com.guestops.gateway.routing.HostRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The real-protocol hosts of the shared test boot (played by {@link HostMocks}) and a way back to a
 * known state: no stubs, an empty request journal, no host sessions, closed breakers, no cool-downs.
 */
@ApplicationScoped
public class RealHosts {

    @Inject
    HostRegistry registry;

    @Inject
    HostGuards guards;

    public Vim25HostClient vim25(String name) {
        return (Vim25HostClient) registry.host(name).orElseThrow();
    }

    public VapiHostClient vapi(String name) {
        return (VapiHostClient) registry.host(name).orElseThrow();
    }

    public void reset() {
        HostMockServer.reset();
        registry.hosts().forEach(host -> {
            if (host instanceof Vim25HostClient vim25) {
                vim25.forgetSession();
            } else if (host instanceof VapiHostClient vapi) {
                vapi.forgetSession();
            }
        });
        guards.resetForTests();
    }
}
