package com.guestops.gateway.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The gateway's configuration contract ({@code gateway.*}); the names are part of the public interface.
 *
 * <p>{@code hosts} and {@code vms} are maps, and Quarkus merges map entries from every config source.
 * That is why the demo simulator is not declared here as a default: it is added in code only when no
 * host is configured at all (see {@code HostRegistry}).
 */
@ConfigMapping(prefix = "gateway")
public interface GatewayConfig {

    /** Hosts by name. The name is used as the {@code host} metric tag, so it is a small closed set. */
    Map<String, HostConfig> hosts();

    /** Static directory: VM id to host name. */
    Map<String, String> vms();

    /** Resilience defaults for every host; each host may override any of them. */
    Resilience resilience();

    /** Finding the owner of a VM that is not in the static directory. */
    Discovery discovery();

    interface Discovery {
        /** Default: on when more than one host is configured. */
        Optional<Boolean> enabled();

        /** How long a discovered owner is remembered. */
        @WithDefault("5m")
        Duration ttl();

        /** How long "no host owns it" is remembered, so a typo'd VM id does not fan out every time. */
        @WithDefault("10s")
        Duration negativeTtl();

        /** Bound on remembered VMs. */
        @WithDefault("100000")
        int maxEntries();

        /**
         * Each host's own time to answer an ownership lookup, from the moment the fan-out starts (time
         * spent waiting for a lookup slot included). A host that has not answered by then is "silent".
         */
        @WithDefault("5s")
        Duration lookupTimeout();

        /**
         * Lookups in flight per host, on connections of their own: a flood of unknown VM ids can never
         * take the connections or the bulkhead slots that kills use.
         */
        @WithDefault("4")
        int maxConcurrentLookups();

        /** Lookups waiting for one of those slots per host; beyond it a host is "silent" at once. */
        @WithDefault("64")
        int maxQueuedLookups();
    }

    interface HostConfig {
        HostType type();

        /** {@code https://esx-01.example/sdk} (vim25) or {@code https://vcenter.example} (vapi). */
        Optional<URI> url();

        /** Service account the gateway logs in with (vim25, vapi). */
        Optional<String> username();

        /** Service account password; fill it from a Kubernetes Secret through an environment variable. */
        Optional<String> password();

        /** Name of a {@code quarkus.tls.<name>} registry entry holding the trust store for this host. */
        @WithName("tls-configuration-name")
        Optional<String> tlsConfigurationName();

        /** vim25, vapi: how long opening a TCP (and TLS) connection to the host may take. */
        @WithName("connect-timeout")
        @WithDefault("10s")
        Duration connectTimeout();

        /**
         * vim25, vapi: most HTTP connections kept open to this host for kills. Default: the host's
         * {@code resilience.bulkhead.max-concurrent}, so every call the bulkhead admits has a connection
         * (a call waiting for one spends its attempt timeout waiting). Lookups
         * ({@code discovery.max-concurrent-lookups}) and the service-account session (2) have
         * connections of their own.
         */
        @WithName("max-pool-size")
        Optional<Integer> maxPoolSize();

        /**
         * vim25, vapi: the largest answer read from the host (bytes; {@code 64K}, {@code 1M}). Past it the
         * connection is closed at once and the call is a gateway-made {@code host.bad_response}.
         */
        @WithName("max-response-size")
        @WithDefault("1M")
        MemorySize maxResponseSize();

        /**
         * Simulator only: where its inventory is described, {@code classpath:...} or a file path.
         * Default: the built-in demo inventory.
         */
        @WithDefault(DEMO_INVENTORY)
        String inventory();

        /** Per-host overrides of {@code gateway.resilience.*}. */
        ResilienceOverrides resilience();

        /** Whether discovery asks this host who owns a VM (false: only static entries route to it). */
        @WithDefault("true")
        boolean discoverable();
    }

    /**
     * What protects callers and hosts (docs/resilience.md). Durations accept {@code 200ms}, {@code 30s}, {@code 5m}.
     */
    interface Resilience {
        /** One overall deadline per request, all attempts and backoffs included. */
        @WithDefault("60s")
        Duration deadline();

        /** Timeout of one host call; a real terminate can take ~20 s (TERM, wait, KILL, wait). */
        @WithDefault("30s")
        Duration attemptTimeout();

        Retry retry();

        RetryBudget retryBudget();

        CircuitBreaker circuitBreaker();

        Bulkhead bulkhead();

        Cooldown cooldown();

        interface Retry {
            /** Retries after the first attempt, for {@code resource_busy} and refused connections only. */
            @WithDefault("3")
            int maxRetries();

            @WithDefault("200ms")
            Duration delay();

            @WithDefault("2s")
            Duration maxDelay();

            @WithDefault("100ms")
            Duration jitter();
        }

        /**
         * Envoy's retry budget, per host: a retry may start while fewer than {@code min-concurrent}
         * retries are in flight to the host, or while retries in flight stay under {@code ratio} of the
         * host's active requests.
         */
        interface RetryBudget {
            @WithDefault("0.2")
            double ratio();

            @WithDefault("3")
            int minConcurrent();
        }

        interface CircuitBreaker {
            /** Size of the rolling window of host calls the failure ratio is computed over. */
            @WithDefault("20")
            int requestVolume();

            @WithDefault("0.5")
            double failureRatio();

            /** How long the breaker stays open before letting probes through. */
            @WithDefault("30s")
            Duration delay();

            /** Probes let through while half-open; this many successes close the breaker. */
            @WithDefault("2")
            int halfOpenProbes();
        }

        interface Bulkhead {
            @WithDefault("64")
            int maxConcurrent();

            @WithDefault("256")
            int queueSize();
        }

        interface Cooldown {
            /** Consecutive Tools-not-running answers for one VM before it fails fast. */
            @WithDefault("3")
            int threshold();

            @WithDefault("10s")
            Duration duration();

            @WithDefault("10000")
            int maxVms();
        }
    }

    /** Same knobs as {@link Resilience}, all optional, for one host. */
    interface ResilienceOverrides {
        Optional<Duration> attemptTimeout();

        @WithName("retry.max-retries")
        Optional<Integer> maxRetries();

        @WithName("retry.delay")
        Optional<Duration> retryDelay();

        @WithName("retry.max-delay")
        Optional<Duration> retryMaxDelay();

        @WithName("retry.jitter")
        Optional<Duration> retryJitter();

        @WithName("retry-budget.ratio")
        Optional<Double> retryBudgetRatio();

        @WithName("retry-budget.min-concurrent")
        Optional<Integer> retryBudgetMinConcurrent();

        @WithName("circuit-breaker.request-volume")
        Optional<Integer> breakerRequestVolume();

        @WithName("circuit-breaker.failure-ratio")
        Optional<Double> breakerFailureRatio();

        @WithName("circuit-breaker.delay")
        Optional<Duration> breakerDelay();

        @WithName("circuit-breaker.half-open-probes")
        Optional<Integer> breakerHalfOpenProbes();

        @WithName("bulkhead.max-concurrent")
        Optional<Integer> bulkheadMaxConcurrent();

        @WithName("bulkhead.queue-size")
        Optional<Integer> bulkheadQueueSize();
    }

    String DEMO_INVENTORY = "classpath:simulator/demo-inventory.json";
}
