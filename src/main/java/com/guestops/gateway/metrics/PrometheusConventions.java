package com.guestops.gateway.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Keeps the whole {@code /q/metrics} page within Prometheus conventions (it is checked with
 * {@code promtool check metrics} in the build) and its cardinality bounded:
 * <ul>
 * <li>the HTTP server's {@code uri} tag never carries a raw path: requests refused before routing
 *     (e.g. an oversized body) would otherwise put VM ids and pids into a tag, and junk paths one series
 *     each ({@link #boundedUri});</li>
 * <li>every series has help text, without double quotes (OpenMetrics escapes them as {@code \"}, which
 *     the text format's parsers, promtool's among them, refuse); binder series that cannot conform are renamed
 *     ({@code system_cpu_count} to {@code system_cpus}) or dropped ({@code process_cpu_time_ns_total},
 *     the {@code http_server_connections} long-task timer).</li>
 * </ul>
 */
@Singleton
public class PrometheusConventions {

    /** The {@code uri} of every request no route served (Quarkus' own value for unmatched 4xx answers). */
    public static final String UNKNOWN = "UNKNOWN";
    private static final String OPERATION_TEMPLATE = "/vcenter/vm/{vm}/guest/processes/{pid}";
    private static final Set<String> SERVED = Set.of("/api" + OPERATION_TEMPLATE, "/rest" + OPERATION_TEMPLATE, "root", UNKNOWN);
    private static final Pattern OPERATION = Pattern.compile("/(api|rest)/vcenter/vm/[^/]+/guest/processes/[^/]+/?");
    private static final Pattern QUARKUS_ENDPOINT = Pattern.compile("/q/(health(/(live|ready|started|well))?|metrics|openapi)");

    @Produces
    @Singleton
    MeterFilter boundedHttpUris() {
        return new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                if (!id.getName().startsWith("http.server")) {
                    return id;
                }
                String uri = id.getTag("uri");
                return uri == null ? id : id.withTag(Tag.of("uri", boundedUri(uri)));
            }
        };
    }

    /**
     * The {@code uri} tag of an HTTP server series: the route that served the request, or {@value #UNKNOWN}.
     * Quarkus tags a request with its route's template when a route matched, and otherwise with its raw path
     * (for answers other than 404 and 3xx: 400 for a path that is not a URI, 413 for a declared body over the
     * limit, ...), so a stream of junk paths would become a stream of series: Micrometer's cap (100 values, then a
     * WARN and legitimate series dropped) and a page of megabytes. Only what this gateway serves is kept: the two
     * operation templates (also for a raw operation path refused before routing matched it), Quarkus' own
     * endpoints (only tagged at all when {@code quarkus.micrometer.binder.http-server.suppress-non-application-uris}
     * is false) and {@code root}; a raw path is never trusted, even one with braces in it.
     */
    static String boundedUri(String uri) {
        if (SERVED.contains(uri) || QUARKUS_ENDPOINT.matcher(uri).matches()) {
            return uri;
        }
        var m = OPERATION.matcher(uri);
        if (m.matches()) {
            return "/" + m.group(1) + OPERATION_TEMPLATE;
        }
        return UNKNOWN;
    }

    @Produces
    @Singleton
    MeterFilter prometheusNaming() {
        return new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                String name = id.getName();
                List<Tag> tags = id.getTags();
                if (name.equals("system.cpu.count")) {
                    name = "system.cpus"; // a gauge must not end in _count
                }
                String description = id.getDescription() != null && !id.getDescription().isBlank()
                        ? id.getDescription().replace('"', '\'')
                        : name.replace('.', ' ');
                if (name.equals(id.getName()) && tags.equals(id.getTags()) && description.equals(id.getDescription())) {
                    return id;
                }
                return new Meter.Id(name, io.micrometer.core.instrument.Tags.of(tags), id.getBaseUnit(), description, id.getType());
            }

            @Override
            public io.micrometer.core.instrument.config.MeterFilterReply accept(Meter.Id id) {
                // process_cpu_time_ns_total abbreviates its unit in the name; the connection long-task
                // timer is exposed as samples (_active_count, _duration_sum) that Prometheus cannot describe
                boolean nonConforming = (id.getName().equals("process.cpu.time") && "ns".equals(id.getBaseUnit()))
                        || id.getName().equals("http.server.connections");
                return nonConforming
                        ? io.micrometer.core.instrument.config.MeterFilterReply.DENY
                        : io.micrometer.core.instrument.config.MeterFilterReply.NEUTRAL;
            }
        };
    }
}
