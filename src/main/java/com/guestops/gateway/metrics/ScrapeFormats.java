package com.guestops.gateway.metrics;

import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.MIMEHeader;
import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Comparator;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Content negotiation of the Prometheus endpoint ({@code /q/metrics}), in front of Micrometer's own
 * route. That route refuses (406) every OpenMetrics {@code Accept} header but its exact produces string
 * ({@code ...; version=1.0.0; charset=utf-8}), serves a client that prefers OpenMetrics the text format
 * whenever it also accepts text, and a client with no preference OpenMetrics. Here:
 * <ul>
 * <li>OpenMetrics 1.0.0 when the client prefers {@code application/openmetrics-text} in any spelling
 *     (Prometheus asks so);</li>
 * <li>the Prometheus text format 0.0.4 for {@code text/plain}, {@code *}{@code /*} or no {@code Accept}
 *     (curl, promtool, people);</li>
 * <li>anything else is left to Micrometer's route, which refuses it.</li>
 * </ul>
 */
@ApplicationScoped
public class ScrapeFormats {

    static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    static final String TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final String path;

    @Inject
    public ScrapeFormats(PrometheusMeterRegistry registry,
            @ConfigProperty(name = "quarkus.management.root-path", defaultValue = "q") String root,
            @ConfigProperty(name = "quarkus.micrometer.export.prometheus.path", defaultValue = "metrics") String path) {
        this.registry = registry;
        this.path = path.startsWith("/") ? path : "/" + trimSlashes(root) + "/" + path;
    }

    /** On the management interface, where Micrometer serves the endpoint (application.properties), never the public port. */
    void register(@Observes ManagementInterface management) {
        // Micrometer's routes for the same path have orders 1, 2 (one per format) and 4 (the 406)
        management.router().get(path).order(0).handler(this::scrape);
    }

    private void scrape(RoutingContext ctx) {
        String format = format(ctx.parsedHeaders().accept());
        if (format == null) {
            ctx.next();
            return;
        }
        ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, format).end(registry.scrape(format));
    }

    /** The format to serve for an {@code Accept} header, or null when it accepts neither. */
    static String format(List<MIMEHeader> accept) {
        if (accept.isEmpty()) {
            return TEXT;
        }
        // a stable sort: equally weighted types keep the client's order
        for (MIMEHeader type : accept.stream().sorted(Comparator.comparing(MIMEHeader::weight).reversed()).toList()) {
            if (type.weight() <= 0) {
                continue;
            }
            switch (type.component() + "/" + type.subComponent()) {
                case "application/openmetrics-text":
                    return OPENMETRICS;
                case "text/plain", "text/*", "*/*":
                    return TEXT;
                default:
                    // not a format of ours: the next type
            }
        }
        return null;
    }

    private static String trimSlashes(String s) {
        return s.replaceAll("^/+|/+$", "");
    }
}
