package com.guestops.gateway.resilience;

import com.guestops.gateway.config.GatewayConfig;
import com.guestops.gateway.config.HostPolicy;
import com.guestops.gateway.config.NanoClock;
import com.guestops.gateway.host.HostClient;
import com.guestops.gateway.metrics.GatewayMetrics;
import io.opentelemetry.api.trace.Tracer;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/**
 * Puts each host client inside its {@link GuardedHost}, once per host at startup (a SmallRye circuit
 * breaker name can be registered only once, so a guard is never rebuilt), with the per-VM cool-down
 * that all hosts share.
 */
@Singleton
public class HostGuards {

    private final VmCooldown cooldown;
    private final GatewayMetrics metrics;
    private final CircuitBreakerMaintenance breakers;
    private final Tracer tracer;
    private final NanoClock clock;

    @Inject
    public HostGuards(GatewayConfig config, GatewayMetrics metrics, CircuitBreakerMaintenance breakers, Tracer tracer,
            NanoClock clock) {
        GatewayConfig.Resilience.Cooldown settings = config.resilience().cooldown();
        this.cooldown = new VmCooldown(settings.threshold(), settings.duration(), settings.maxVms(), clock);
        this.metrics = metrics;
        this.breakers = breakers;
        this.tracer = tracer;
        this.clock = clock;
        metrics.gauge("guestops.vm.cooldown.tracked", "VMs tracked by the Tools-not-running cool-down", cooldown::size);
    }

    public GuardedHost guard(HostClient client, HostPolicy policy) {
        return new GuardedHost(client, policy, cooldown, metrics, breakers, tracer, clock);
    }
}
