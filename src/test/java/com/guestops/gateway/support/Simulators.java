package com.guestops.gateway.support;

import com.guestops.gateway.host.HostClient;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Test access to the simulator hosts of the shared test boot, and a way back to a known state. */
@ApplicationScoped
public class Simulators {

    @Inject
    TestHostClientFactory clients;

    @Inject
    CircuitBreakerMaintenance breakers;

    @Inject
    TestClock clock;

    public ControllableSimulator demo() {
        return host("demo");
    }

    public ControllableSimulator host(String name) {
        return clients.simulator(name);
    }

    /** Terminate calls that reached any simulator host since the last reset. */
    public long totalCalls() {
        return clients.all().values().stream().filter(ControllableSimulator.class::isInstance)
                .mapToLong(c -> ((ControllableSimulator) c).totalCalls()).sum();
    }

    /**
     * Every simulator as configured, every breaker closed, and nothing remembered (discovery's cache,
     * cool-downs, back-offs: the clock moves on past all of them).
     */
    public void resetAll() {
        for (HostClient client : clients.all().values()) {
            if (client instanceof ControllableSimulator simulator) {
                simulator.reset();
            }
        }
        breakers.resetAll();
        clock.forgetEverything();
    }
}
