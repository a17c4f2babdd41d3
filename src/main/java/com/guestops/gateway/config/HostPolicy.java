package com.guestops.gateway.config;

import com.guestops.gateway.config.GatewayConfig.HostConfig;
import com.guestops.gateway.config.GatewayConfig.Resilience;
import com.guestops.gateway.config.GatewayConfig.ResilienceOverrides;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Everything one host runs with, computed once at startup from {@code gateway.resilience.*},
 * {@code gateway.discovery.*} and the host's own {@code gateway.hosts.<name>.*} overrides, and shared by
 * the host's client (timeouts, pools, response cap) and its guard (retry, budget, breaker, bulkhead).
 *
 * @param attemptTimeout    one host call; the HTTP request is reset (its connection freed) when it passes
 * @param maxPoolSize       connections kept for kills (default: the bulkhead's limit, so each admitted call has one)
 * @param maxResponseBytes  the largest answer read from the host
 * @param lookupConcurrency lookups in flight to the host, on connections of their own
 */
public record HostPolicy(
        Duration attemptTimeout,
        Duration connectTimeout,
        int maxPoolSize,
        long maxResponseBytes,
        Duration lookupTimeout,
        int lookupConcurrency,
        int lookupQueue,
        int maxRetries,
        Duration retryDelay,
        Duration retryMaxDelay,
        Duration retryJitter,
        double retryBudgetRatio,
        int retryBudgetMinConcurrent,
        int breakerRequestVolume,
        double breakerFailureRatio,
        Duration breakerDelay,
        int breakerHalfOpenProbes,
        int bulkheadMaxConcurrent,
        int bulkheadQueueSize) {

    /** When the host's configuration has no such setting: 1 MiB. */
    public static final long DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;
    private static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    /**
     * The policy of host {@code name}; a host without configuration (the demo simulator) gets the
     * global settings.
     *
     * @throws IllegalStateException naming every invalid setting
     */
    public static HostPolicy of(GatewayConfig config, String name) {
        Optional<HostConfig> host = Optional.ofNullable(config.hosts().get(name));
        Optional<ResilienceOverrides> own = host.map(HostConfig::resilience);
        Resilience global = config.resilience();
        int bulkheadLimit = pick(own, ResilienceOverrides::bulkheadMaxConcurrent, global.bulkhead().maxConcurrent());
        HostPolicy policy = new HostPolicy(
                pick(own, ResilienceOverrides::attemptTimeout, global.attemptTimeout()),
                host.map(HostConfig::connectTimeout).orElse(DEFAULT_CONNECT_TIMEOUT),
                host.flatMap(HostConfig::maxPoolSize).orElse(bulkheadLimit),
                host.map(h -> h.maxResponseSize().asLongValue()).orElse(DEFAULT_MAX_RESPONSE_BYTES),
                config.discovery().lookupTimeout(),
                config.discovery().maxConcurrentLookups(),
                config.discovery().maxQueuedLookups(),
                pick(own, ResilienceOverrides::maxRetries, global.retry().maxRetries()),
                pick(own, ResilienceOverrides::retryDelay, global.retry().delay()),
                pick(own, ResilienceOverrides::retryMaxDelay, global.retry().maxDelay()),
                pick(own, ResilienceOverrides::retryJitter, global.retry().jitter()),
                pick(own, ResilienceOverrides::retryBudgetRatio, global.retryBudget().ratio()),
                pick(own, ResilienceOverrides::retryBudgetMinConcurrent, global.retryBudget().minConcurrent()),
                pick(own, ResilienceOverrides::breakerRequestVolume, global.circuitBreaker().requestVolume()),
                pick(own, ResilienceOverrides::breakerFailureRatio, global.circuitBreaker().failureRatio()),
                pick(own, ResilienceOverrides::breakerDelay, global.circuitBreaker().delay()),
                pick(own, ResilienceOverrides::breakerHalfOpenProbes, global.circuitBreaker().halfOpenProbes()),
                bulkheadLimit,
                pick(own, ResilienceOverrides::bulkheadQueueSize, global.bulkhead().queueSize()));
        policy.check(name);
        return policy;
    }

    /** The host's own value when it has one, else the global one: the one merge of the two. */
    private static <T> T pick(Optional<ResilienceOverrides> own, Function<ResilienceOverrides, Optional<T>> setting, T global) {
        return own.flatMap(setting).orElse(global);
    }

    private void check(String name) {
        String host = "gateway.hosts." + name + ".";
        List<String> problems = new ArrayList<>();
        positive(problems, host + "resilience.attempt-timeout", attemptTimeout);
        positive(problems, host + "connect-timeout", connectTimeout);
        positive(problems, "gateway.discovery.lookup-timeout", lookupTimeout);
        positive(problems, host + "resilience.circuit-breaker.delay", breakerDelay);
        atLeast(problems, host + "max-pool-size", maxPoolSize, 1);
        atLeast(problems, host + "max-response-size", maxResponseBytes, 1);
        atLeast(problems, "gateway.discovery.max-concurrent-lookups", lookupConcurrency, 1);
        atLeast(problems, "gateway.discovery.max-queued-lookups", lookupQueue, 1);
        atLeast(problems, host + "resilience.retry.max-retries", maxRetries, 0);
        atLeast(problems, host + "resilience.retry-budget.min-concurrent", retryBudgetMinConcurrent, 0);
        atLeast(problems, host + "resilience.circuit-breaker.request-volume", breakerRequestVolume, 1);
        atLeast(problems, host + "resilience.circuit-breaker.half-open-probes", breakerHalfOpenProbes, 1);
        atLeast(problems, host + "resilience.bulkhead.max-concurrent", bulkheadMaxConcurrent, 1);
        atLeast(problems, host + "resilience.bulkhead.queue-size", bulkheadQueueSize, 1);
        if (retryDelay.isNegative() || retryJitter.isNegative() || retryMaxDelay.compareTo(retryDelay) < 0) {
            problems.add(host + "resilience.retry.delay / max-delay / jitter must be >= 0 with max-delay >= delay");
        }
        if (!(retryBudgetRatio >= 0 && retryBudgetRatio <= 1)) {
            problems.add(host + "resilience.retry-budget.ratio must be between 0 and 1");
        }
        if (!(breakerFailureRatio > 0 && breakerFailureRatio <= 1)) {
            problems.add(host + "resilience.circuit-breaker.failure-ratio must be above 0 and at most 1");
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Invalid settings for host '" + name + "':\n  " + String.join("\n  ", problems));
        }
    }

    private static void positive(List<String> problems, String property, Duration value) {
        if (value.isNegative() || value.isZero()) {
            problems.add(property + " must be positive");
        }
    }

    private static void atLeast(List<String> problems, String property, long value, long min) {
        if (value < min) {
            problems.add(property + " must be at least " + min);
        }
    }
}
