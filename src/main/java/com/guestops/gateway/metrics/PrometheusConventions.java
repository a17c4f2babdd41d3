package com.guestops.gateway.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Keeps the whole {@code /q/metrics} page within Prometheus conventions (it is checked with
 * {@code promtool check metrics} in the build) and its cardinality bounded:
 * <ul>
 * <li>the HTTP server's {@code uri} tag never carries a raw path: requests refused before routing
 *     (e.g. an oversized body) would otherwise put VM ids and pids into a tag;</li>
 * <li>every series has help text, without double quotes (OpenMetrics escapes them as {@code \"}, which
 *     the text format's parsers, promtool's among them, refuse); binder series that cannot conform are renamed
 *     ({@code system_cpu_count} to {@code system_cpus}) or dropped ({@code process_cpu_time_ns_total},
 *     the {@code http_server_connections} long-task timer).</li>
 * </ul>
 */
@Singleton
public class PrometheusConventions {

    private static final Pattern OPERATION = Pattern.compile("/(api|rest)/vcenter/vm/[^/]+/guest/processes/[^/]+/?");

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
                if (uri == null || uri.contains("{")) {
                    return id;
                }
                var m = OPERATION.matcher(uri);
                if (m.matches()) {
                    return id.withTag(Tag.of("uri", "/" + m.group(1) + "/vcenter/vm/{vm}/guest/processes/{pid}"));
                }
                if (uri.startsWith("/api/") || uri.startsWith("/rest/")) {
                    return id.withTag(Tag.of("uri", uri.startsWith("/api/") ? "/api/{unmatched}" : "/rest/{unmatched}"));
                }
                return id;
            }
        };
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
