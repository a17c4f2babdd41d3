package com.guestops.gateway.routing;

import com.guestops.gateway.config.GatewayConfig;
import com.guestops.gateway.host.HostClient;
import com.guestops.gateway.host.HostClientFactory;
import io.quarkus.runtime.Startup;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * All configured hosts, built once at startup. Startup fails here, with a message naming the bad
 * entries, when the configuration is inconsistent (e.g. a VM mapped to a host that does not exist).
 */
@Startup
@Singleton
public class HostRegistry {

    private static final Logger LOG = Logger.getLogger(HostRegistry.class);

    private final HostTopology topology;

    @Inject
    public HostRegistry(GatewayConfig config, HostClientFactory factory) {
        this.topology = HostTopology.build(config, factory);
        if (topology.demo()) {
            LOG.warnf("No host is configured under gateway.hosts: the embedded SIMULATOR host '%s' is serving"
                    + " the demo VMs %s. Nothing real is terminated. Configure gateway.hosts for real hosts.",
                    HostTopology.DEMO_HOST, new java.util.TreeSet<>(topology.vms().keySet()));
        }
        topology.hosts().values().forEach(h -> LOG.infof("Host '%s' registered (type %s)", h.name(), h.type()));
    }

    public Optional<HostClient> host(String name) {
        return Optional.ofNullable(topology.hosts().get(name));
    }

    public Collection<HostClient> hosts() {
        return topology.hosts().values();
    }

    /** Static directory: VM id to host name. */
    public Map<String, String> staticDirectory() {
        return topology.vms();
    }

    public boolean demo() {
        return topology.demo();
    }
}
