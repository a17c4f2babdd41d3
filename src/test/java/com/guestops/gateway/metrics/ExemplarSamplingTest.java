package com.guestops.gateway.metrics;

import static com.guestops.gateway.support.VapiCall.delete;
import static org.assertj.core.api.Assertions.assertThat;

import com.guestops.gateway.api.Flavour;
import com.guestops.gateway.support.Management;
import io.prometheus.client.exemplars.ExemplarSampler;
import io.quarkus.micrometer.runtime.export.exemplars.OpentelemetryExemplarSamplerProvider;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The registry samples exemplars only while tracing records: the tests run with tracing on (every request sampled), so
 * the running application's scrape carries them; with the SDK disabled, the default, the registry gets no sampler.
 */
@QuarkusTest
class ExemplarSamplingTest {

    @Inject
    Optional<ExemplarSampler> registrySampler;

    @Test
    void noSamplerWhileTracingIsOff() {
        assertThat(ExemplarSampling.sampler(true, new OpentelemetryExemplarSamplerProvider())).isEmpty();
        assertThat(ExemplarSampling.sampler(false, new OpentelemetryExemplarSamplerProvider())).isPresent();
    }

    @Test
    void withTracingOnTheScrapePointsToTheRequestsTraces() {
        assertThat(registrySampler).as("the sampler the registry is given, tracing on in the tests").isPresent();
        delete(Flavour.API, "vm-1", 1000).send();
        String scrape = Management.given().accept("application/openmetrics-text;version=1.0.0").get("/q/metrics")
                .then().statusCode(200).extract().asString();
        assertThat(scrape.lines().filter(l -> l.startsWith("guestops_terminate_requests_total{")))
                .as("the terminate counter's samples, with their exemplars")
                .anyMatch(l -> l.matches(".* # \\{span_id=\"[0-9a-f]{16}\",trace_id=\"[0-9a-f]{32}\"} .*")
                        || l.matches(".* # \\{trace_id=\"[0-9a-f]{32}\",span_id=\"[0-9a-f]{16}\"} .*"));
    }
}
