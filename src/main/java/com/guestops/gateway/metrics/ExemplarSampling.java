package com.guestops.gateway.metrics;

import io.prometheus.client.exemplars.ExemplarSampler;
import io.quarkus.micrometer.runtime.export.exemplars.OpentelemetryExemplarSamplerProvider;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Exemplars (a sample's trace id, in the OpenMetrics scrape) only while tracing records.
 *
 * <p>With the OpenTelemetry extension present, Quarkus gives the Prometheus registry an exemplar sampler whatever the
 * tracing configuration, and it asks the request's OpenTelemetry context for a sampled span on every counter increment
 * and every timer or summary observation: several times per request, 2–3 % of a forwarded request's CPU (bench/HISTORY.md),
 * for nothing when the SDK is disabled, the gateway's default, since there is never a span to point to. So the
 * registry gets no sampler then; with tracing switched on (docs/observability.md, "Tracing") it gets Quarkus' own.
 * This producer takes the place of Quarkus' ({@code @Alternative}), which it asks for the sampler when tracing is on.
 */
@ApplicationScoped
public class ExemplarSampling {

    @Produces
    @Alternative
    @Priority(1)
    @Singleton
    Optional<ExemplarSampler> exemplarSampler(@ConfigProperty(name = "quarkus.otel.sdk.disabled", defaultValue = "false") boolean sdkDisabled,
            OpentelemetryExemplarSamplerProvider quarkus) {
        return sampler(sdkDisabled, quarkus);
    }

    static Optional<ExemplarSampler> sampler(boolean sdkDisabled, OpentelemetryExemplarSamplerProvider quarkus) {
        return sdkDisabled ? Optional.empty() : quarkus.exemplarSampler();
    }
}
