package com.guestops.gateway.routing;

import static com.guestops.gateway.support.VapiCall.delete;
import static org.assertj.core.api.Assertions.assertThat;

import com.guestops.gateway.api.Flavour;
import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.host.simulator.SimulatorInventory.FaultKind;
import com.guestops.gateway.routing.HostRegistry;
import com.guestops.gateway.support.ControllableSimulator;
import com.guestops.gateway.support.MetricsScrape;
import com.guestops.gateway.support.Simulators;
import com.guestops.gateway.support.TestClock;
import com.guestops.gateway.support.VapiAnswer;
import com.guestops.gateway.support.VapiCall;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Owner discovery across the test's simulator hosts: {@code disc-a} owns vm-disc-a, vm-moving and
 * vm-dup; {@code disc-b} owns vm-disc-b and vm-dup; the other hosts own none of these. Lookup counts
 * come from the simulators.
 */
@QuarkusTest
class DiscoveryTest {

    private static final String OPS = VapiCall.usernamePassword("ops", "ops-pass");

    @Inject
    Simulators simulators;

    @Inject
    HostRegistry registry;

    @Inject
    HostDirectory directory;

    @Inject
    HostRegistry hosts;

    @Inject
    TestClock clock;

    @Inject
    io.vertx.core.Vertx vertx;

    @BeforeEach
    @AfterEach
    void reset() {
        simulators.resetAll();
    }

    /** Returns once every event loop has finished the task it was running (the fan-out completes on one). */
    private void settleEventLoops() throws InterruptedException {
        List<io.netty.util.concurrent.EventExecutor> loops = new ArrayList<>();
        vertx.nettyEventLoopGroup().forEach(loops::add);
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(loops.size());
        loops.forEach(loop -> loop.execute(done::countDown));
        assertThat(done.await(10, TimeUnit.SECONDS)).as("event loops idle").isTrue();
    }

    private Map<String, Long> lookups() {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (com.guestops.gateway.resilience.GuardedHost h : registry.hosts()) {
            if (h.type() == com.guestops.gateway.config.HostType.SIMULATOR) {
                counts.put(h.name(), simulators.host(h.name()).lookups());
            }
        }
        return counts;
    }

    private static Map<String, Long> plus(Map<String, Long> before, long n) {
        Map<String, Long> expected = new LinkedHashMap<>();
        before.forEach((h, c) -> expected.put(h, c + n));
        return expected;
    }

    @Test
    void discoveryIsOnWithSeveralHosts() {
        assertThat(directory.discoveryEnabled()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void findsTheOwnerOnceAndThenUsesTheCache(Flavour f) {
        Map<String, Long> before = lookups();
        MetricsScrape m0 = MetricsScrape.take();
        delete(f, "vm-disc-a", 7).body(OPS).send().assertSuccess();
        assertThat(lookups()).as("every host asked once").isEqualTo(plus(before, 1));
        assertThat(simulators.host("disc-a").calls("vm-disc-a")).isEqualTo(1);

        delete(f, "vm-disc-a", 7).body(OPS).send().assertSuccess();
        assertThat(lookups()).as("second request answered from the cache").isEqualTo(plus(before, 1));
        assertThat(simulators.host("disc-a").calls("vm-disc-a")).isEqualTo(2);
        MetricsScrape m1 = MetricsScrape.take();
        assertThat(m1.delta(m0, "guestops_directory_lookups_total", "result", "discovered")).isEqualTo(1.0);
        assertThat(m1.delta(m0, "guestops_directory_lookups_total", "result", "cache_hit")).isEqualTo(1.0);
        assertThat(m1.value("guestops_discovery_duration_seconds_count")).isPositive();
    }

    @Test
    void ttlExpiryRediscovers() throws InterruptedException {
        delete(Flavour.API, "vm-disc-b", 7).body(OPS).send().assertSuccess();
        Map<String, Long> after = lookups();
        // the answer can reach us before the cache has stamped the entry's write time (Caffeine does that in a
        // completion callback that runs after the waiters'): advanced first, the clock would make the entry young
        settleEventLoops();
        clock.advance(Duration.ofMinutes(5).plusSeconds(1));
        delete(Flavour.API, "vm-disc-b", 7).body(OPS).send().assertSuccess();
        assertThat(lookups()).isEqualTo(plus(after, 1));
    }

    @Test
    void absenceIsCachedBriefly() {
        Map<String, Long> before = lookups();
        for (int i = 0; i < 3; i++) {
            VapiAnswer answer = delete(Flavour.API, "vm-typo", 7).body(OPS).send().assertError(404, ErrorType.NOT_FOUND);
            assertThat(answer.messageIds()).containsExactly("com.guestops.gateway.vm.no_route");
        }
        assertThat(lookups()).as("one fan-out for three requests").isEqualTo(plus(before, 1));
        clock.advance(Duration.ofSeconds(11));
        delete(Flavour.API, "vm-typo", 7).body(OPS).send().assertError(404, ErrorType.NOT_FOUND);
        assertThat(lookups()).isEqualTo(plus(before, 2));
    }

    @Test
    void concurrentRequestsForAnUnknownVmShareOneLookupPerHost() throws Exception {
        lookups().keySet().forEach(h -> simulators.host(h).lookupDelay(300));
        Map<String, Long> before = lookups();
        ExecutorService pool = Executors.newFixedThreadPool(50);
        try {
            List<CompletableFuture<VapiAnswer>> answers = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                answers.add(CompletableFuture.supplyAsync(() -> delete(Flavour.API, "vm-nobody", 7).body(OPS).send(), pool));
            }
            for (CompletableFuture<VapiAnswer> a : answers) {
                a.get(30, TimeUnit.SECONDS).assertError(404, ErrorType.NOT_FOUND);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(lookups()).isEqualTo(plus(before, 1));
    }

    /** Found in review: one waiter's deadline cancelled the fan-out the others were sharing. */
    @Test
    void oneCallersDeadlineDoesNotFailTheOthersWaitingOnTheSameLookup() throws Exception {
        lookups().keySet().forEach(h -> simulators.host(h).lookupDelay(600));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CompletableFuture<VapiAnswer> hasty = CompletableFuture.supplyAsync(() -> delete(Flavour.API, "vm-disc-a", 7)
                    .body(OPS).header("X-Request-Timeout", "150ms").send(), pool);
            CompletableFuture<VapiAnswer> patient = CompletableFuture.supplyAsync(() -> delete(Flavour.API, "vm-disc-a", 7)
                    .body(OPS).send(), pool);
            VapiAnswer late = hasty.get(30, TimeUnit.SECONDS).assertError(503, ErrorType.SERVICE_UNAVAILABLE);
            assertThat(late.messageIds()).containsExactly("com.guestops.gateway.deadline_exceeded");
            patient.get(30, TimeUnit.SECONDS).assertSuccess();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aVmThatMovedIsFollowedWithOneReResolution() {
        ControllableSimulator a = simulators.host("disc-a");
        ControllableSimulator b = simulators.host("disc-b");
        delete(Flavour.API, "vm-moving", 7).body(OPS).send().assertSuccess();
        assertThat(a.calls("vm-moving")).isEqualTo(1);

        b.adopt("vm-moving", a.evict("vm-moving")); // vMotion from disc-a to disc-b
        Map<String, Long> before = lookups();
        delete(Flavour.REST, "vm-moving", 7).body(OPS).send().assertSuccess();
        assertThat(a.calls("vm-moving")).as("the cached owner was asked and said: not here").isEqualTo(2);
        assertThat(b.calls("vm-moving")).isEqualTo(1);
        assertThat(lookups()).as("exactly one re-resolution").isEqualTo(plus(before, 1));

        delete(Flavour.API, "vm-moving", 7).body(OPS).send().assertSuccess();
        assertThat(b.calls("vm-moving")).isEqualTo(2);
        assertThat(a.calls("vm-moving")).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void twoClaimantsAreAnErrorAndNothingIsTerminated(Flavour f) {
        VapiAnswer answer = delete(f, "vm-dup", 7).body(OPS).send().assertError(500, ErrorType.ERROR);
        assertThat(answer.messageIds()).containsExactly("com.guestops.gateway.vm.ambiguous_route");
        assertThat(answer.defaultMessages()).singleElement().asString().contains("disc-a").contains("disc-b");
        assertThat(simulators.host("disc-a").calls("vm-dup")).isZero();
        assertThat(simulators.host("disc-b").calls("vm-dup")).isZero();
    }

    @Test
    void noClaimantWhileAHostIsDownIsUnknownNotNotFound() {
        simulators.host("flaky").hostFault(FaultKind.RESET);
        VapiAnswer answer = delete(Flavour.API, "vm-somewhere", 7).body(OPS).send().assertError(503, ErrorType.SERVICE_UNAVAILABLE);
        assertThat(answer.messageIds()).containsExactly("com.guestops.gateway.vm.route_unknown");
        assertThat(answer.defaultMessages()).singleElement().asString().contains("flaky");
        // not cached: once the host is back, the same VM is simply not found
        simulators.host("flaky").hostFault(null);
        delete(Flavour.API, "vm-somewhere", 7).body(OPS).send().assertError(404, ErrorType.NOT_FOUND);
    }

    /** A host whose breaker is open is not asked, and may be the owner: no route is known, even for a claimed VM. */
    @Test
    void aHostWithAnOpenBreakerIsNotAskedAndLeavesTheOwnerUnknown() {
        ControllableSimulator flaky = simulators.host("flaky");
        flaky.hostFault(FaultKind.RESET);
        for (int i = 0; i < hosts.host("flaky").orElseThrow().policy().breakerRequestVolume(); i++) {
            delete(Flavour.API, "vm-flaky", 7).body(OPS).send();
        }
        assertThat(hosts.host("flaky").orElseThrow().breakerState()).isEqualTo(CircuitBreakerState.OPEN);
        flaky.hostFault(null);
        long flakyLookups = flaky.lookups();
        VapiAnswer claimed = delete(Flavour.API, "vm-disc-b", 7).body(OPS).send().assertError(503, ErrorType.SERVICE_UNAVAILABLE);
        assertThat(claimed.messageIds()).containsExactly("com.guestops.gateway.vm.route_unknown");
        assertThat(claimed.defaultMessages()).singleElement().asString().contains("only host disc-b claimed it").contains("flaky");
        assertThat(simulators.host("disc-b").calls("vm-disc-b")).isZero();
        VapiAnswer unknown = delete(Flavour.API, "vm-elsewhere", 7).body(OPS).send().assertError(503, ErrorType.SERVICE_UNAVAILABLE);
        assertThat(unknown.messageIds()).containsExactly("com.guestops.gateway.vm.route_unknown");
        assertThat(flaky.lookups()).isEqualTo(flakyLookups);
    }

    @Test
    void staticEntriesWinAndAreNeverLookedUp() {
        Map<String, Long> before = lookups();
        delete(Flavour.API, "vm-lab-ok", 7).body(OPS).send().assertSuccess(); // in lab's inventory and many others'
        assertThat(lookups()).isEqualTo(before);
        assertThat(simulators.host("lab").calls("vm-lab-ok")).isEqualTo(1);
    }
}
