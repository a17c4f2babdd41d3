package com.guestops.gateway.support;

import com.guestops.gateway.host.simulator.SimulatorHostClient;
import com.guestops.gateway.resilience.HostGuards;
import com.guestops.gateway.routing.HostDirectory;
import com.guestops.gateway.routing.HostRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Test access to the simulator hosts of the shared test boot, and a way back to a known state. */
@ApplicationScoped
public class Simulators {

    @Inject
    HostRegistry registry;

    @Inject
    HostGuards guards;

    @Inject
    HostDirectory directory;

    public SimulatorHostClient demo() {
        return host("demo");
    }

    public SimulatorHostClient host(String name) {
        return (SimulatorHostClient) registry.host(name).orElseThrow();
    }

    public void resetAll() {
        registry.hosts().stream()
                .filter(SimulatorHostClient.class::isInstance)
                .map(SimulatorHostClient.class::cast)
                .forEach(SimulatorHostClient::reset);
        guards.resetForTests();
        directory.clearForTests();
    }
}
