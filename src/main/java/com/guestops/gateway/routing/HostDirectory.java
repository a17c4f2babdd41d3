package com.guestops.gateway.routing;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import com.guestops.gateway.config.GatewayConfig;
import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.error.GatewayMessages;
import com.guestops.gateway.error.VapiException;
import com.guestops.gateway.host.HostClient;
import com.guestops.gateway.metrics.GatewayMetrics;
import com.guestops.gateway.resilience.HostGuards;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Finds the host that owns a VM: the static directory first (configuration always wins), then, for
 * any other VM and when discovery is on, by asking every host concurrently (hosts with an open
 * breaker are skipped). Answers are cached: an owner for {@code ttl}, "nobody owns it" for
 * {@code negative-ttl}; concurrent requests for the same unknown VM share one fan-out.
 *
 * <p>Never guesses: two claimants are an error ({@value #AMBIGUOUS}); no claimant while some host
 * could not answer is "unknown" ({@value #ROUTE_UNKNOWN}, 503), because the silent host may be the
 * owner; only when every host answered "not here" is the VM not found ({@value GatewayMessages#NO_ROUTE}).
 */
@ApplicationScoped
public class HostDirectory {

    public static final String AMBIGUOUS = GatewayMessages.PREFIX + "vm.ambiguous_route";
    public static final String ROUTE_UNKNOWN = GatewayMessages.PREFIX + "vm.route_unknown";
    private static final Logger LOG = Logger.getLogger(HostDirectory.class);

    private final HostRegistry registry;
    private final HostGuards guards;
    private final GatewayMetrics metrics;
    private final boolean discoveryEnabled;
    private final Duration lookupTimeout;
    private final AtomicLong clockOffsetNanos = new AtomicLong();
    private final AsyncCache<String, Lookup> owners;
    private final List<HostClient> discoverable;

    /** The outcome of one fan-out. {@code owner} is null unless exactly one host claimed the VM. */
    record Lookup(HostClient owner, List<String> claimants, List<String> silent) {
        boolean cacheable() {
            return claimants.size() == 1 || (claimants.isEmpty() && silent.isEmpty());
        }
    }

    @Inject
    public HostDirectory(HostRegistry registry, HostGuards guards, GatewayMetrics metrics, GatewayConfig config) {
        this.registry = registry;
        this.guards = guards;
        this.metrics = metrics;
        GatewayConfig.Discovery discovery = config.discovery();
        this.discoveryEnabled = discovery.enabled().orElse(registry.hosts().size() > 1);
        this.lookupTimeout = discovery.lookupTimeout();
        this.discoverable = registry.hosts().stream()
                .filter(h -> config.hosts().get(h.name()) == null || config.hosts().get(h.name()).discoverable())
                .toList();
        long ttl = discovery.ttl().toNanos();
        long negativeTtl = discovery.negativeTtl().toNanos();
        Ticker ticker = () -> System.nanoTime() + clockOffsetNanos.get();
        this.owners = Caffeine.newBuilder()
                .maximumSize(discovery.maxEntries())
                .ticker(ticker)
                .executor(Runnable::run) // bookkeeping is tiny; no hop to another pool
                .expireAfter(new Expiry<String, Lookup>() {
                    @Override
                    public long expireAfterCreate(String vm, Lookup lookup, long now) {
                        if (!lookup.cacheable()) {
                            return 0; // ambiguous or partly unanswered: ask again next time
                        }
                        return lookup.owner() != null ? ttl : negativeTtl;
                    }

                    @Override
                    public long expireAfterUpdate(String vm, Lookup lookup, long now, long current) {
                        return expireAfterCreate(vm, lookup, now);
                    }

                    @Override
                    public long expireAfterRead(String vm, Lookup lookup, long now, long current) {
                        return current;
                    }
                })
                .buildAsync();
        metrics.gauge("guestops.directory.cache.size", "VMs whose owner (or absence) discovery remembers",
                () -> owners.synchronous().estimatedSize());
        LOG.infof("Owner discovery is %s (%d of %d hosts asked)", discoveryEnabled ? "on" : "off",
                discoverable.size(), registry.hosts().size());
    }

    public boolean discoveryEnabled() {
        return discoveryEnabled;
    }

    /** The route to the VM's owner, or a failure with the vAPI answer when there is none. */
    public Uni<Route> resolve(String vm) {
        String hostName = registry.staticDirectory().get(vm);
        if (hostName != null) {
            metrics.directoryLookup("static");
            return Uni.createFrom().item(new Route(registry.host(hostName).orElseThrow(), Route.Kind.STATIC));
        }
        if (!discoveryEnabled) {
            metrics.directoryLookup("not_found");
            return Uni.createFrom().failure(noRoute(vm));
        }
        AtomicBoolean fannedOut = new AtomicBoolean();
        CompletableFuture<Lookup> lookup = owners.get(vm, (key, executor) -> {
            fannedOut.set(true);
            return fanOut(key).subscribeAsCompletionStage();
        });
        // each waiter gets its own copy: one caller's deadline must not cancel the fan-out others share
        return Uni.createFrom().completionStage(lookup.copy()).map(found -> {
            String result = route(vm, found);
            metrics.directoryLookup(fannedOut.get() ? result : "cache_hit");
            if (found.owner() == null) {
                throw failure(vm, found);
            }
            return new Route(found.owner(), Route.Kind.DISCOVERED);
        });
    }

    /** Forgets what discovery knows about the VM (its owner said it is not there). */
    public void invalidate(String vm) {
        owners.synchronous().invalidate(vm);
    }

    private Uni<Lookup> fanOut(String vm) {
        long start = System.nanoTime();
        List<HostClient> asked = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (HostClient host : discoverable) {
            if (guards.forHost(host.name()).breakerState() == CircuitBreakerState.OPEN) {
                skipped.add(host.name()); // a broken host is not asked, and may be the owner
            } else {
                asked.add(host);
            }
        }
        List<Uni<Answer>> answers = asked.stream().map(host -> host.owns(vm)
                .ifNoItem().after(lookupTimeout).fail()
                .map(owns -> owns ? Answer.OWNS : Answer.NOT_HERE)
                .onFailure().recoverWithItem(f -> {
                    LOG.debugf("Host %s could not say whether it owns %s: %s", host.name(), vm, f.toString());
                    return Answer.SILENT;
                })).toList();
        if (answers.isEmpty()) {
            return Uni.createFrom().item(new Lookup(null, List.of(), skipped));
        }
        return Uni.join().all(answers).andFailFast().map(results -> {
            List<String> claimants = new ArrayList<>();
            List<String> silent = new ArrayList<>(skipped);
            HostClient owner = null;
            for (int i = 0; i < results.size(); i++) {
                switch (results.get(i)) {
                    case OWNS -> {
                        claimants.add(asked.get(i).name());
                        owner = asked.get(i);
                    }
                    case SILENT -> silent.add(asked.get(i).name());
                    case NOT_HERE -> { }
                }
            }
            metrics.discoveryDuration(System.nanoTime() - start);
            return new Lookup(claimants.size() == 1 ? owner : null, List.copyOf(claimants), List.copyOf(silent));
        });
    }

    private enum Answer { OWNS, NOT_HERE, SILENT }

    private String route(String vm, Lookup found) {
        if (found.owner() != null) {
            return "discovered";
        }
        if (found.claimants().size() > 1) {
            LOG.errorf("VM %s is claimed by more than one host: %s; refusing to guess", vm, found.claimants());
            return "ambiguous";
        }
        return found.silent().isEmpty() ? "not_found" : "unknown";
    }

    private static VapiException failure(String vm, Lookup found) {
        if (found.claimants().size() > 1) {
            return VapiException.gateway(ErrorType.ERROR, AMBIGUOUS,
                    "Virtual machine " + vm + " is claimed by more than one host (" + String.join(", ", found.claimants())
                            + "); nothing was terminated.", vm);
        }
        if (!found.silent().isEmpty()) {
            return VapiException.gateway(ErrorType.SERVICE_UNAVAILABLE, ROUTE_UNKNOWN,
                    "No host claimed virtual machine " + vm + ", but host(s) " + String.join(", ", found.silent())
                            + " could not be asked; try again later.", vm);
        }
        return noRoute(vm);
    }

    private static VapiException noRoute(String vm) {
        return VapiException.gateway(ErrorType.NOT_FOUND, GatewayMessages.NO_ROUTE,
                "No configured host owns virtual machine " + vm + ".", vm);
    }

    // --- test hooks ------------------------------------------------------------------------------

    /** Moves discovery's clock forward (cache expiry) without waiting. */
    public void advanceClockForTests(Duration by) {
        clockOffsetNanos.addAndGet(by.toNanos());
        owners.synchronous().cleanUp();
    }

    public void clearForTests() {
        owners.synchronous().invalidateAll();
    }
}
