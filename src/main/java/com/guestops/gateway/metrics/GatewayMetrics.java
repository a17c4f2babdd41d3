package com.guestops.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Every metric the gateway publishes, in one place so names and tags stay consistent. Tag values come
 * from small closed sets only (flavour, configured host name or {@code none}, vAPI error type, who
 * decided the outcome); never a VM id, pid, user name or secret.
 */
@Singleton
public class GatewayMetrics {

    /**
     * Prometheus histogram buckets for request latency: 5 ms ... 60 s. 25 s is a bound on purpose: the
     * latency alert and SLO count the requests above it exactly (a terminate normally takes up to ~20-22 s:
     * TERM, 5 s, KILL, up to 15 s), where a quantile interpolated inside 20-30 s would read 26-30 s.
     */
    static final Duration[] LATENCY_BUCKETS = {
        Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(20),
        Duration.ofSeconds(25), Duration.ofSeconds(30), Duration.ofSeconds(60)
    };

    private final MeterRegistry registry;
    private final ConcurrentMap<Key, Counter> counters = new ConcurrentHashMap<>();
    private final ConcurrentMap<Key, Timer> timers = new ConcurrentHashMap<>();

    @Inject
    public GatewayMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** One finished terminate request; every request ends here exactly once. */
    public void request(String flavour, String host, String outcome, String source, long durationNanos) {
        counter("guestops.terminate.requests", "Terminate requests by outcome and by who decided it",
                "flavour", flavour, "host", host, "outcome", outcome, "source", source).increment();
        Key timerKey = new Key("guestops.terminate.duration", flavour, host, outcome);
        Timer timer = timers.get(timerKey);
        (timer != null ? timer : timers.computeIfAbsent(timerKey, k -> Timer.builder("guestops.terminate.duration")
                .description("Terminate request latency, all attempts included")
                .tags("flavour", flavour, "host", host, "outcome", outcome)
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .minimumExpectedValue(LATENCY_BUCKETS[0])
                .maximumExpectedValue(LATENCY_BUCKETS[LATENCY_BUCKETS.length - 1])
                .register(registry)))
                .record(durationNanos, TimeUnit.NANOSECONDS);
    }

    /** One call to a host: {@code success}, a vAPI error type, {@code timeout} or {@code transport_error}. */
    public void attempt(String host, String result) {
        counter("guestops.host.attempts", "Calls made to hosts, by result", "host", host, "result", result).increment();
    }

    /** One process lookup ("get") sent to a host: {@code success}, a vAPI error type, {@code timeout} or {@code transport_error}. */
    public void processLookupAttempt(String host, String result) {
        counter("guestops.host.process.lookup.attempts", "Process lookups (get) sent to hosts, by result",
                "host", host, "result", result).increment();
    }

    /** One finished process lookup request ("get"); every such request ends here exactly once. */
    public void processLookupRequest(String flavour, String host, String outcome, String source) {
        counter("guestops.process.lookup.requests", "Process lookup (get) requests by outcome and by who decided it",
                "flavour", flavour, "host", host, "outcome", outcome, "source", source).increment();
    }

    public void retry(String host) {
        counter("guestops.host.retries", "Retries of busy or refused host calls", "host", host).increment();
    }

    public void retryBudgetExhausted(String host) {
        counter("guestops.host.retry.budget.exhausted", "Retries refused because the host's retry budget was spent", "host", host).increment();
    }

    public void login(String host, String result) {
        counter("guestops.host.logins", "Service-account logins to hosts", "host", host, "result", result).increment();
    }

    public void cooldownRejection(String host) {
        counter("guestops.vm.cooldown.rejections", "Requests failed fast because their VM is cooling down", "host", host).increment();
    }

    /** One ownership lookup of discovery: owns, not_here, silent, not_sent (nobody waited any more), skipped (breaker open). */
    public void hostLookup(String host, String result) {
        counter("guestops.host.lookups", "Ownership lookups of discovery per host, by answer", "host", host, "result", result).increment();
    }

    public void directoryLookup(String result) {
        counter("guestops.directory.lookups", "VM to host resolutions, by how they were answered", "result", result).increment();
    }

    private volatile Timer discovery;

    /** One discovery fan-out, from the first question to the last answer. */
    public void discoveryDuration(long nanos) {
        Timer timer = discovery;
        if (timer == null) {
            timer = Timer.builder("guestops.discovery.duration").description("Owner discovery fan-out latency")
                    .serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
            discovery = timer;
        }
        timer.record(Duration.ofNanos(nanos));
    }

    public void hostGauges(String host, Supplier<Number> inflight, Supplier<Number> breakerState) {
        Gauge.builder("guestops.host.inflight", inflight).description("Requests to the host in progress")
                .tags("host", host).register(registry);
        Gauge.builder("guestops.host.circuit.breaker.state", breakerState)
                .description("Circuit breaker state of the host: 0 closed, 1 open, 2 half-open")
                .tags("host", host).register(registry);
    }

    /** Open connections to the application's HTTP server, whatever their protocol. */
    public void httpConnections(Supplier<Number> open) {
        Gauge.builder("guestops.http.connections", open).description("Open connections to the gateway's HTTP server")
                .register(registry);
    }

    /** A connection closed as soon as it was accepted: the pod already holds its maximum. */
    public void httpConnectionRejected() {
        counter("guestops.http.connections.rejected",
                "Connections refused because the pod held its maximum (gateway.http.max-connections)").increment();
    }

    /** A client that did not send its request head ({@code header}) or body ({@code body}) in time. */
    public void httpRequestTimeout(String phase) {
        counter("guestops.http.request.timeouts", "Clients cut off for sending a request head or body too slowly", "phase", phase).increment();
    }

    public void gauge(String name, String description, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).register(registry);
    }

    /**
     * The counter with these tags (name, value, name, value...), registered on first use and then found by its name and
     * tags: nothing is sorted, registered or built per request (a key string built per update was 1 % of a forwarded
     * request's CPU: its hash was computed anew each time, where the tags' own strings keep theirs).
     */
    private Counter counter(String name, String description, String... tags) {
        Key key = new Key(name, tags);
        Counter known = counters.get(key);
        return known != null ? known : counters.computeIfAbsent(key,
                k -> Counter.builder(name).description(description).tags(tags).register(registry));
    }

    /** A meter's name and tag strings, equal when they are. */
    private record Key(String name, String... tags) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && name.equals(key.name) && Arrays.equals(tags, key.tags);
        }

        @Override
        public int hashCode() {
            return 31 * name.hashCode() + Arrays.hashCode(tags);
        }

        @Override
        public String toString() {
            return name + Arrays.toString(tags);
        }
    }
}
