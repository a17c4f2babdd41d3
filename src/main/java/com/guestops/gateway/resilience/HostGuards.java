package com.guestops.gateway.resilience;

import com.guestops.gateway.config.GatewayConfig;
import com.guestops.gateway.host.HostClient;
import com.guestops.gateway.metrics.GatewayMetrics;
import com.guestops.gateway.routing.HostRegistry;
import io.opentelemetry.api.trace.Tracer;
import io.quarkus.runtime.Startup;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * One {@link HostGuard} per configured host, built once at startup and never rebuilt (a SmallRye
 * circuit breaker name can be registered only once), plus the cool-down shared by all hosts.
 */
@Startup
@Singleton
public class HostGuards {

    private static final Logger LOG = Logger.getLogger(HostGuards.class);

    private final Map<String, HostGuard> guards = new LinkedHashMap<>();
    private final VmCooldown cooldown;
    private final CircuitBreakerMaintenance breakers;

    @Inject
    public HostGuards(HostRegistry registry, GatewayConfig config, GatewayMetrics metrics,
            CircuitBreakerMaintenance breakers, Tracer tracer) {
        this.breakers = breakers;
        GatewayConfig.Resilience global = config.resilience();
        this.cooldown = new VmCooldown(global.cooldown().threshold(), global.cooldown().duration(), global.cooldown().maxVms());
        for (HostClient client : registry.hosts()) {
            Optional<GatewayConfig.ResilienceOverrides> overrides =
                    Optional.ofNullable(config.hosts().get(client.name())).map(GatewayConfig.HostConfig::resilience);
            HostPolicy policy = HostPolicy.of(global, overrides);
            guards.put(client.name(), new HostGuard(client, policy, cooldown, metrics, tracer));
            LOG.debugf("Host %s resilience: %s", client.name(), policy);
        }
        metrics.gauge("guestops.vm.cooldown.tracked", "VMs tracked by the Tools-not-running cool-down", cooldown::size);
    }

    public boolean has(String host) {
        return guards.containsKey(host);
    }

    public HostGuard forHost(String host) {
        HostGuard guard = guards.get(host);
        if (guard == null) {
            throw new IllegalStateException("No guard for host " + host);
        }
        return guard;
    }

    /** Test hook: lets every cool-down run out now; streaks are kept. */
    public void expireCooldownsForTests() {
        cooldown.expireAll();
    }

    /** Test hook: closes every breaker, empties retry budgets and the cool-down. */
    public void resetForTests() {
        guards.values().forEach(g -> {
            breakers.reset("host-" + g.host());
            g.markClosed();
            g.resetBudget();
        });
        cooldown.reset();
    }
}
