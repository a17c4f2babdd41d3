package com.guestops.gateway.health;

import com.guestops.gateway.routing.HostRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.eclipse.microprofile.health.Startup;

/**
 * Readiness and startup: configuration was loaded and every host is registered (inside its guard).
 * Readiness does NOT follow circuit breakers: a breaker opens for a host that is down for every pod
 * alike, and all pods going unready at once would turn one broken host into a full outage.
 */
@Readiness
@Startup
@ApplicationScoped
public class HostsReadiness implements HealthCheck {

    @Inject
    HostRegistry registry;

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("hosts")
                .withData("hosts", registry.hosts().size())
                .withData("static-vms", registry.staticDirectory().size())
                .withData("demo-simulator", registry.demo());
        boolean ready = !registry.hosts().isEmpty();
        return response.status(ready).build();
    }
}
