package com.guestops.gateway.routing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.guestops.gateway.support.VapiCall.delete;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.guestops.gateway.api.Flavour;
import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.support.HostMockServer;
import com.guestops.gateway.support.MetricsScrape;
import com.guestops.gateway.support.Simulators;
import com.guestops.gateway.support.VapiAnswer;
import com.guestops.gateway.support.VapiCall;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Lookups cannot starve kills (issue 12, item 5). The discoverable vCenter {@code vc-disc} keeps two
 * connections for kills ({@code max-pool-size=2}); here its VM lookups take 4 s, longer than the
 * suite's {@code lookup-timeout} of 2 s.
 */
@QuarkusTest
class LookupIsolationTest {

    private static final String OPS = VapiCall.usernamePassword("ops", "ops-pass");

    @Inject
    Simulators simulators;

    private ExecutorService pool;

    @BeforeEach
    void slowLookups() {
        simulators.resetAll();
        HostMockServer.reset();
        HostMockServer.stub(get(urlPathMatching("/vcd/api/vcenter/vm/vm-flood-.*")).atPriority(1).willReturn(aResponse()
                .withStatus(404).withHeader("Content-Type", "application/json").withFixedDelay(4000)
                .withBody("{\"error_type\":\"NOT_FOUND\",\"messages\":[]}")));
        pool = Executors.newFixedThreadPool(40);
    }

    @AfterEach
    void stop() throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
        HostMockServer.reset();
    }

    private static int lookupsReceived() {
        return HostMockServer.requests(getRequestedFor(urlPathMatching("/vcd/api/vcenter/vm/vm-flood-.*"))).size();
    }

    @Test
    void aFloodOfUnknownVmsDoesNotDelayAKillToAMappedVm() throws Exception {
        MetricsScrape before = MetricsScrape.take();
        List<CompletableFuture<VapiAnswer>> flood = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            int n = i;
            flood.add(CompletableFuture.supplyAsync(() -> delete(Flavour.API, "vm-flood-" + n, 7).body(OPS).send(), pool));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> lookupsReceived() >= 1);

        long start = System.nanoTime();
        delete(Flavour.API, "vm-vcd-1", 7).send().assertSuccess();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));

        for (CompletableFuture<VapiAnswer> a : flood) {
            VapiAnswer answer = a.get(30, TimeUnit.SECONDS).assertError(503, ErrorType.SERVICE_UNAVAILABLE);
            assertThat(answer.messageIds()).containsExactly("com.guestops.gateway.vm.route_unknown");
        }
        MetricsScrape after = MetricsScrape.take();
        assertThat(after.delta(before, "guestops_host_attempts_total", "host", "vc-disc", "result", "success")).isEqualTo(1.0);
        assertThat(after.delta(before, "guestops_host_attempts_total", "host", "vc-disc")).isEqualTo(1.0);
    }

    @Test
    void lookupsWhoseWaitersAreGoneAreNeverSent() throws Exception {
        List<CompletableFuture<VapiAnswer>> flood = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int n = i;
            flood.add(CompletableFuture.supplyAsync(() -> delete(Flavour.API, "vm-flood-" + n, 7).body(OPS).send(), pool));
        }
        for (CompletableFuture<VapiAnswer> a : flood) {
            a.get(30, TimeUnit.SECONDS).assertError(503, ErrorType.SERVICE_UNAVAILABLE);
        }
        int sentWhileWaited = lookupsReceived();
        // every caller has its answer: no lookup for them may go out any more
        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).until(() -> lookupsReceived() == sentWhileWaited);
        // none of them is answered before it is reset at its 2 s lookup-timeout: until then, only the
        // per-host lookup cap (4) can have been sent
        List<java.util.Date> sent = HostMockServer.requests(getRequestedFor(urlPathMatching("/vcd/api/vcenter/vm/vm-flood-.*")))
                .stream().map(r -> r.getLoggedDate()).sorted().toList();
        long first = sent.get(0).getTime();
        assertThat(sent.stream().filter(d -> d.getTime() - first < 1500).count()).as("lookups in flight at once").isLessThanOrEqualTo(4);
        assertThat(sentWhileWaited).as("lookups sent for 20 callers").isLessThan(20);
    }
}
