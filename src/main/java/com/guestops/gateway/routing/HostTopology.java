package com.guestops.gateway.routing;

import com.guestops.gateway.config.GatewayConfig;
import com.guestops.gateway.config.HostPolicy;
import com.guestops.gateway.host.HostClient;
import com.guestops.gateway.host.HostClientFactory;
import com.guestops.gateway.host.simulator.SimulatorHostClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The hosts the gateway can call (each with the policy it runs with) and the static VM directory,
 * built once from configuration.
 *
 * <p>When no host is configured at all, the gateway serves the built-in demo: one simulator host
 * named {@value #DEMO_HOST} owning the VMs of the demo inventory. The demo is decided here, in code,
 * and never declared in {@code application.properties}: Quarkus merges map entries from all config
 * sources, so a default {@code gateway.hosts.demo} would silently join every user's own hosts.
 */
public record HostTopology(Map<String, HostClient> hosts, Map<String, HostPolicy> policies, Map<String, String> vms,
        boolean demo) {

    public static final String DEMO_HOST = "demo";
    private static final Pattern VM_ID = Pattern.compile("[A-Za-z0-9._:-]{1,80}");
    private static final Pattern HOST_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    public HostTopology {
        hosts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(hosts));
        policies = Map.copyOf(policies);
        vms = Map.copyOf(vms);
    }

    public static HostTopology build(GatewayConfig config, HostClientFactory factory) {
        Map<String, HostClient> hosts = new LinkedHashMap<>();
        Map<String, HostPolicy> policies = new LinkedHashMap<>();
        Map<String, String> vms = new TreeMap<>();
        boolean demo = config.hosts().isEmpty();
        if (demo) {
            SimulatorHostClient simulator = factory.simulator(DEMO_HOST, GatewayConfig.DEMO_INVENTORY);
            hosts.put(DEMO_HOST, simulator);
            policies.put(DEMO_HOST, HostPolicy.of(config, DEMO_HOST));
            simulator.vmIds().forEach(vm -> vms.put(vm, DEMO_HOST));
        } else {
            List<String> badNames = config.hosts().keySet().stream()
                    .filter(n -> !HOST_NAME.matcher(n).matches()).sorted().toList();
            if (!badNames.isEmpty()) {
                throw new IllegalStateException("Invalid host name(s) under gateway.hosts: " + badNames
                        + ". Host names are used as metric tags: lower-case letters, digits and '-', at most 63.");
            }
            new TreeMap<>(config.hosts()).forEach((name, hostConfig) -> {
                HostPolicy policy = HostPolicy.of(config, name);
                policies.put(name, policy);
                hosts.put(name, factory.create(name, hostConfig, policy));
            });
        }
        List<String> problems = new ArrayList<>();
        new TreeMap<>(config.vms()).forEach((vm, host) -> {
            if (!VM_ID.matcher(vm).matches()) {
                problems.add("gateway.vms: '" + vm + "' is not a valid VM id");
            } else if (!hosts.containsKey(host)) {
                problems.add("gateway.vms." + vm + " names host '" + host + "', which is not configured under gateway.hosts"
                        + " (configured: " + String.join(", ", new TreeSet<>(hosts.keySet())) + ")");
            } else {
                vms.put(vm, host);
            }
        });
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Invalid gateway configuration:\n  " + String.join("\n  ", problems));
        }
        return new HostTopology(hosts, policies, vms, demo);
    }
}
