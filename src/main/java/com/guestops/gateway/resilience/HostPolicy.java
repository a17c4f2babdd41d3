package com.guestops.gateway.resilience;

import com.guestops.gateway.config.GatewayConfig.Resilience;
import com.guestops.gateway.config.GatewayConfig.ResilienceOverrides;
import java.time.Duration;

/** The effective resilience settings of one host: global defaults with that host's overrides applied. */
public record HostPolicy(
        Duration attemptTimeout,
        int maxRetries,
        Duration retryDelay,
        Duration retryMaxDelay,
        Duration retryJitter,
        double retryBudgetRatio,
        int retryBudgetMinRetries,
        Duration retryBudgetWindow,
        int breakerRequestVolume,
        double breakerFailureRatio,
        Duration breakerDelay,
        int breakerHalfOpenProbes,
        int bulkheadMaxConcurrent,
        int bulkheadQueueSize,
        Duration deadline) {

    public HostPolicy {
        if (maxRetries < 0 || breakerRequestVolume < 1 || breakerHalfOpenProbes < 1
                || bulkheadMaxConcurrent < 1 || bulkheadQueueSize < 1
                || breakerFailureRatio <= 0 || breakerFailureRatio > 1
                || retryBudgetRatio < 0 || retryBudgetMinRetries < 0) {
            throw new IllegalArgumentException("Invalid resilience settings: " + this);
        }
    }

    /** The host's policy; {@code overrides} is empty for a host without configuration (the demo). */
    public static HostPolicy of(Resilience global, java.util.Optional<ResilienceOverrides> overrides) {
        if (overrides.isEmpty()) {
            return of(global, NONE);
        }
        return of(global, overrides.get());
    }

    private static HostPolicy of(Resilience global, ResilienceOverrides host) {
        return new HostPolicy(
                host.attemptTimeout().orElse(global.attemptTimeout()),
                host.maxRetries().orElse(global.retry().maxRetries()),
                host.retryDelay().orElse(global.retry().delay()),
                host.retryMaxDelay().orElse(global.retry().maxDelay()),
                host.retryJitter().orElse(global.retry().jitter()),
                host.retryBudgetRatio().orElse(global.retryBudget().ratio()),
                host.retryBudgetMinRetries().orElse(global.retryBudget().minRetries()),
                global.retryBudget().window(),
                host.breakerRequestVolume().orElse(global.circuitBreaker().requestVolume()),
                host.breakerFailureRatio().orElse(global.circuitBreaker().failureRatio()),
                host.breakerDelay().orElse(global.circuitBreaker().delay()),
                host.breakerHalfOpenProbes().orElse(global.circuitBreaker().halfOpenProbes()),
                host.bulkheadMaxConcurrent().orElse(global.bulkhead().maxConcurrent()),
                host.bulkheadQueueSize().orElse(global.bulkhead().queueSize()),
                global.deadline());
    }

    private static final ResilienceOverrides NONE = (ResilienceOverrides) java.lang.reflect.Proxy.newProxyInstance(
            ResilienceOverrides.class.getClassLoader(), new Class<?>[] {ResilienceOverrides.class},
            (proxy, method, args) -> java.util.Optional.empty());
}
