package com.guestops.gateway.observability;

import static com.guestops.gateway.support.VapiCall.delete;
import static org.assertj.core.api.Assertions.assertThat;

import com.guestops.gateway.api.Flavour;
import com.guestops.gateway.support.MetricsScrape;
import com.guestops.gateway.support.MetricsScrape.Sample;
import com.guestops.gateway.support.Simulators;
import com.guestops.gateway.support.VapiCall;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every outcome, driven through HTTP, moves exactly its own series of
 * {@code guestops_terminate_requests_total} by one, read from a parsed {@code /q/metrics} scrape.
 */
@QuarkusTest
class OutcomeMetricsTest {

    private static final String OPS = VapiCall.usernamePassword("ops", "ops-pass");

    @Inject
    Simulators simulators;

    @BeforeEach
    void reset() {
        simulators.resetAll();
    }

    record Case(String name, String host, String outcome, String source, Consumer<Flavour> request) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> outcomes() {
        List<Case> cases = List.of(
                new Case("success", "demo", "success", "host", f -> delete(f, "vm-1", 1000).send()),
                new Case("validation", "none", "invalid_argument", "gateway", f -> delete(f, "vm-1", "0").send()),
                new Case("oversized body", "none", "invalid_argument", "gateway",
                        f -> delete(f, "vm-1", 1000).body("{\"x\":\"" + "y".repeat(70_000) + "\"}").send()),
                new Case("no route", "none", "not_found", "gateway", f -> delete(f, "vm-nowhere", 1000).send()),
                new Case("pid not found", "demo", "not_found", "host", f -> delete(f, "vm-1", 4242).send()),
                new Case("powered off", "demo", "not_allowed_in_current_state", "host", f -> delete(f, "vm-2", 1000).send()),
                new Case("tools not running", "demo", "service_unavailable", "host", f -> delete(f, "vm-3", 1000).send()),
                new Case("unsupported", "demo", "unsupported", "host", f -> delete(f, "vm-5", 1000).send()),
                new Case("bad password", "demo", "unauthenticated", "host",
                        f -> delete(f, "vm-1", 1000).body(VapiCall.usernamePassword("root", "x")).send()),
                new Case("guest on root's pid", "demo", "unauthorized", "host",
                        f -> delete(f, "vm-1", 150).body(VapiCall.GUEST).send()),
                new Case("always busy", "lab", "resource_busy", "host", f -> delete(f, "vm-lab-busy", 7).body(OPS).send()),
                new Case("host error", "lab", "error", "host", f -> delete(f, "vm-lab-error", 7).body(OPS).send()),
                new Case("host timeout", "lab", "service_unavailable", "gateway", f -> delete(f, "vm-lab-hang", 7).body(OPS).send()),
                new Case("deadline", "slow", "service_unavailable", "gateway",
                        f -> delete(f, "vm-slow", 7).body(OPS).header("X-Request-Timeout", "100ms").send()));
        return cases.stream().flatMap(c -> Stream.of(Arguments.of(c, Flavour.REST), Arguments.of(c, Flavour.API)));
    }

    @ParameterizedTest(name = "{0} ({1})")
    @MethodSource("outcomes")
    void eachOutcomeIsCountedExactlyOnceWithItsTags(Case c, Flavour flavour) {
        MetricsScrape before = MetricsScrape.take();
        c.request().accept(flavour);
        MetricsScrape after = MetricsScrape.take();
        String[] tags = {"flavour", flavour.tag(), "host", c.host(), "outcome", c.outcome(), "source", c.source()};
        assertThat(after.delta(before, "guestops_terminate_requests_total", tags)).isEqualTo(1.0);
        // and nothing else moved: the total over all series grew by one
        assertThat(after.delta(before, "guestops_terminate_requests_total")).isEqualTo(1.0);
        assertThat(after.delta(before, "guestops_terminate_duration_seconds_count",
                "flavour", flavour.tag(), "host", c.host(), "outcome", c.outcome())).isEqualTo(1.0);
    }

    @Test
    void latencyIsAPrometheusHistogramFrom5msTo60s() {
        delete(Flavour.API, "vm-1", 1000).send().assertSuccess();
        List<Sample> buckets = MetricsScrape.take().samples().stream()
                .filter(s -> s.name().equals("guestops_terminate_duration_seconds_bucket"))
                .filter(s -> "demo".equals(s.labels().get("host")) && "success".equals(s.labels().get("outcome")))
                .toList();
        assertThat(buckets).extracting(s -> s.labels().get("le")).contains("0.005", "0.1", "1.0", "30.0", "60.0", "+Inf");
        // the latency alert and SLO read the share of requests above 25 s at a bucket bound, never an
        // interpolation: a normal terminate takes up to ~20-22 s (TERM, 5 s, KILL, up to 15 s)
        assertThat(buckets).extracting(s -> s.labels().get("le")).contains("20.0", "25.0");
        assertThat(buckets.stream().filter(s -> "+Inf".equals(s.labels().get("le"))).mapToDouble(Sample::value).sum()).isPositive();
    }

    @Test
    void hostSeriesArePublishedPerHost() {
        delete(Flavour.API, "vm-1", 1000).send().assertSuccess();
        MetricsScrape scrape = MetricsScrape.take();
        for (String host : List.of("demo", "lab", "flaky")) {
            assertThat(scrape.samples()).anySatisfy(s -> {
                assertThat(s.name()).isEqualTo("guestops_host_circuit_breaker_state");
                assertThat(s.labels()).containsEntry("host", host);
            });
            assertThat(scrape.samples()).anySatisfy(s -> {
                assertThat(s.name()).isEqualTo("guestops_host_inflight");
                assertThat(s.labels()).containsEntry("host", host);
            });
        }
        assertThat(scrape.value("guestops_directory_lookups_total", "result", "static")).isPositive();
        // one set of breaker/retry series: the guestops_host_* ones; SmallRye's own ft_* would repeat them
        // (SmallRye's ft_timer_scheduled, about its own timer thread, is not one of them)
        assertThat(scrape.samples()).filteredOn(s -> s.name().startsWith("ft_"))
                .allSatisfy(s -> assertThat(s.name()).isEqualTo("ft_timer_scheduled"));
    }

    @Test
    void noTagValueIsEverAVmIdOrPid() {
        for (int i = 0; i < 40; i++) {
            delete(i % 2 == 0 ? Flavour.API : Flavour.REST, "vm-card-" + i, 987_650_000L + i).send();
            delete(Flavour.API, "vm-1", 987_660_000L + i).send();
            delete(Flavour.API, "vm-card-" + i + ";x=1", "42").send();
        }
        delete(Flavour.API, "vm-card-big", 1000).body("{\"x\":\"" + "y".repeat(70_000) + "\"}").send();
        MetricsScrape scrape = MetricsScrape.take();
        assertThat(scrape.samples()).allSatisfy(s -> assertThat(s.labels().values()).allSatisfy(v -> {
            assertThat(v).doesNotContain("vm-card").doesNotContain("vm-1").doesNotContain("98765").doesNotContain("98766");
        }));
    }
}
