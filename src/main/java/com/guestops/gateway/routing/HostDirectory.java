package com.guestops.gateway.routing;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.guestops.gateway.config.GatewayConfig;
import com.guestops.gateway.config.NanoClock;
import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.error.GatewayMessages;
import com.guestops.gateway.error.VapiException;
import com.guestops.gateway.host.HostClient.Ownership;
import com.guestops.gateway.metrics.GatewayMetrics;
import com.guestops.gateway.resilience.Deadline;
import com.guestops.gateway.resilience.GuardedHost;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Finds the host that owns a VM: the static directory first (configuration always wins), then, for
 * any other VM and when discovery is on, by asking every discoverable host concurrently.
 *
 * <p>Never guesses (morefs are numbered per vCenter: {@code vm-42} exists in every one). An owner is
 * known only when exactly one host claims the VM <em>and every discoverable host answered</em>; a
 * host that could not be asked (breaker open), did not answer within {@code lookup-timeout}, or
 * answered something that is not its protocol's "not here" is <em>silent</em>, and may be the owner:
 * <ul>
 * <li>two or more claimants: {@value GatewayMessages#AMBIGUOUS_ROUTE} (500), nothing is sent;</li>
 * <li>one claimant or none while some host is silent: {@value GatewayMessages#ROUTE_UNKNOWN} (503);</li>
 * <li>every host said "not here": {@value GatewayMessages#NO_ROUTE} (404).</li>
 * </ul>
 * Only a known owner (for {@code ttl}) and "nobody" (for {@code negative-ttl}) are remembered.
 * Concurrent requests for the same unknown VM share one fan-out; its lookups are not sent once every
 * request waiting for it has left (its deadline passed), and each host's lookups run in a small
 * bulkhead of their own, on connections of their own, so they never delay a kill.
 */
@Singleton // called on every request: no client proxy in between (a context look-up per call)
public class HostDirectory {

    private static final Logger LOG = Logger.getLogger(HostDirectory.class);

    private final HostRegistry registry;
    private final GatewayMetrics metrics;
    private final Vertx vertx;
    private final boolean discoveryEnabled;
    private final Duration lookupTimeout;
    private final AsyncCache<String, Lookup> owners;
    private final ConcurrentMap<String, FanOut> running = new ConcurrentHashMap<>();

    /** The outcome of one fan-out. {@code owner} is set only when the rule above names one. */
    record Lookup(GuardedHost owner, List<String> claimants, List<String> silent) {
        boolean cacheable() {
            return silent.isEmpty() && claimants.size() <= 1;
        }
    }

    @Inject
    public HostDirectory(HostRegistry registry, GatewayMetrics metrics, GatewayConfig config, Vertx vertx, NanoClock clock) {
        this.registry = registry;
        this.metrics = metrics;
        this.vertx = vertx;
        GatewayConfig.Discovery discovery = config.discovery();
        this.discoveryEnabled = discovery.enabled().orElse(registry.hosts().size() > 1);
        this.lookupTimeout = discovery.lookupTimeout();
        long ttl = discovery.ttl().toNanos();
        long negativeTtl = discovery.negativeTtl().toNanos();
        this.owners = Caffeine.newBuilder()
                .maximumSize(discovery.maxEntries())
                .ticker(clock::nanoTime)
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
                registry.discoverable().size(), registry.hosts().size());
    }

    public boolean discoveryEnabled() {
        return discoveryEnabled;
    }

    /**
     * The route to the VM's owner, or a failure with the vAPI answer when there is none. A request
     * waiting for a fan-out stops waiting (and stops wanting its lookups) when its deadline passes.
     */
    public Uni<Route> resolve(String vm, Deadline deadline) {
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
            FanOut fanOut = new FanOut(key);
            running.put(key, fanOut);
            fanOut.start();
            return fanOut.result;
        });
        FanOut fanOut = running.get(vm); // null when the answer is already there
        Runnable leave = fanOut == null ? () -> { } : fanOut.join();
        deadline.whenPassed(leave);
        // each waiter gets its own copy: one caller leaving must not end the fan-out others share
        return Uni.createFrom().completionStage(lookup.copy())
                .onTermination().invoke(leave)
                .map(found -> {
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

    private enum Answer { OWNS, NOT_HERE, SILENT }

    /**
     * One fan-out: every discoverable host asked at once, each with {@code lookup-timeout} from now to
     * answer (its wait for a lookup slot included). Ends when all have answered or the time is up;
     * the hosts that have not answered by then are silent.
     */
    private final class FanOut {
        final String vm;
        final CompletableFuture<Lookup> result = new CompletableFuture<>();
        final List<GuardedHost> hosts = registry.discoverable();
        final Answer[] answers = new Answer[hosts.size()];
        final AtomicInteger waiters = new AtomicInteger();
        final long started = System.nanoTime();
        volatile boolean abandoned;
        long timer = -1;
        int pending;

        FanOut(String vm) {
            this.vm = vm;
        }

        void start() {
            if (hosts.isEmpty()) {
                finish(); // nobody to ask (every host is discoverable: false): nobody owns it
                return;
            }
            long deadlineNanos = started + lookupTimeout.toNanos();
            synchronized (this) {
                pending = hosts.size();
                timer = vertx.setTimer(Math.max(1, lookupTimeout.toMillis()), id -> finish());
            }
            for (int i = 0; i < hosts.size(); i++) {
                GuardedHost host = hosts.get(i);
                int index = i;
                if (host.breakerState() == CircuitBreakerState.OPEN) {
                    answer(index, Answer.SILENT); // a broken host is not asked, and may be the owner
                    metrics.hostLookup(host.name(), "skipped");
                    continue;
                }
                host.lookup(vm, deadlineNanos, this::wanted).subscribe().with(
                        owns -> {
                            metrics.hostLookup(host.name(), owns == Ownership.OWNS ? "owns" : "not_here");
                            answer(index, owns == Ownership.OWNS ? Answer.OWNS : Answer.NOT_HERE);
                        },
                        failure -> {
                            boolean notSent = failure instanceof GuardedHost.LookupNotSent;
                            metrics.hostLookup(host.name(), notSent ? "not_sent" : "silent");
                            if (!notSent) {
                                LOG.debugf("Host %s could not say whether it owns %s: %s", host.name(), vm, failure.toString());
                            }
                            answer(index, Answer.SILENT);
                        });
            }
        }

        /** Registers one waiting request; the returned action (idempotent) is its leaving. */
        Runnable join() {
            waiters.incrementAndGet();
            AtomicBoolean left = new AtomicBoolean();
            return () -> {
                if (left.compareAndSet(false, true) && waiters.decrementAndGet() == 0) {
                    abandoned = true; // no one wants the answer: lookups still waiting for a slot are not sent
                }
            };
        }

        boolean wanted() {
            return !abandoned && !result.isDone();
        }

        void answer(int index, Answer answer) {
            boolean all;
            synchronized (this) {
                if (result.isDone() || answers[index] != null) {
                    return;
                }
                answers[index] = answer;
                all = --pending == 0;
            }
            if (all) {
                finish();
            }
        }

        void finish() {
            List<String> claimants = new ArrayList<>();
            List<String> silent = new ArrayList<>();
            GuardedHost owner = null;
            synchronized (this) {
                if (result.isDone()) {
                    return;
                }
                if (timer >= 0) {
                    vertx.cancelTimer(timer);
                }
                for (int i = 0; i < hosts.size(); i++) {
                    Answer a = answers[i] == null ? Answer.SILENT : answers[i];
                    switch (a) {
                        case OWNS -> {
                            claimants.add(hosts.get(i).name());
                            owner = hosts.get(i);
                        }
                        case SILENT -> silent.add(hosts.get(i).name());
                        case NOT_HERE -> { }
                    }
                }
            }
            boolean known = claimants.size() == 1 && silent.isEmpty();
            metrics.discoveryDuration(System.nanoTime() - started);
            running.remove(vm, this);
            result.complete(new Lookup(known ? owner : null, List.copyOf(claimants), List.copyOf(silent)));
        }
    }

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
            return VapiException.gateway(ErrorType.ERROR, GatewayMessages.AMBIGUOUS_ROUTE,
                    "Virtual machine " + vm + " is claimed by more than one host (" + String.join(", ", found.claimants())
                            + "); nothing was terminated.", vm);
        }
        if (!found.silent().isEmpty()) {
            String claimed = found.claimants().isEmpty() ? "no host claimed it"
                    : "only host " + found.claimants().get(0) + " claimed it";
            return VapiException.gateway(ErrorType.SERVICE_UNAVAILABLE, GatewayMessages.ROUTE_UNKNOWN,
                    "The owner of virtual machine " + vm + " is not known: " + claimed + ", and host(s) "
                            + String.join(", ", found.silent()) + " could not be asked or did not answer (any of them"
                            + " may own a VM of that id); nothing was terminated. Try again later.", vm);
        }
        return noRoute(vm);
    }

    private static VapiException noRoute(String vm) {
        return VapiException.gateway(ErrorType.NOT_FOUND, GatewayMessages.NO_ROUTE,
                "No configured host owns virtual machine " + vm + ".", vm);
    }
}
