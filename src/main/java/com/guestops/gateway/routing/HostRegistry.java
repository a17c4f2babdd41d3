package com.guestops.gateway.routing;

import com.guestops.gateway.config.GatewayConfig;
import com.guestops.gateway.host.HostClient;
import com.guestops.gateway.host.HostClientFactory;
import com.guestops.gateway.resilience.GuardedHost;
import com.guestops.gateway.resilience.HostGuards;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.jboss.logging.Logger;

/**
 * All configured hosts, each built once at startup inside its {@link GuardedHost}. Startup fails here,
 * with a message naming the bad entries, when the configuration is inconsistent (e.g. a VM mapped to a
 * host that does not exist). At shutdown every host's session is logged out, all at once, within
 * {@link HostClient#LOGOUT_TIMEOUT}.
 */
@Startup
@Singleton
public class HostRegistry {

    private static final Logger LOG = Logger.getLogger(HostRegistry.class);

    private final HostTopology topology;
    private final Map<String, GuardedHost> hosts;
    private final List<GuardedHost> discoverable;

    @Inject
    public HostRegistry(GatewayConfig config, HostClientFactory factory, HostGuards guards) {
        this.topology = HostTopology.build(config, factory);
        Map<String, GuardedHost> guarded = new LinkedHashMap<>();
        topology.hosts().forEach((name, client) -> guarded.put(name, guards.guard(client, topology.policies().get(name))));
        this.hosts = Collections.unmodifiableMap(guarded);
        this.discoverable = hosts.values().stream()
                .filter(h -> config.hosts().get(h.name()) == null || config.hosts().get(h.name()).discoverable())
                .toList();
        if (topology.demo()) {
            LOG.warnf("No host is configured under gateway.hosts: the embedded SIMULATOR host '%s' is serving"
                    + " the demo VMs %s. Nothing real is terminated. Configure gateway.hosts for real hosts.",
                    HostTopology.DEMO_HOST, new TreeSet<>(topology.vms().keySet()));
        }
        hosts.values().forEach(h -> LOG.infof("Host '%s' registered (type %s)", h.name(), h.type()));
    }

    public Optional<GuardedHost> host(String name) {
        return Optional.ofNullable(hosts.get(name));
    }

    public Collection<GuardedHost> hosts() {
        return hosts.values();
    }

    /** The hosts discovery asks (those not configured {@code discoverable: false}). */
    public List<GuardedHost> discoverable() {
        return discoverable;
    }

    /** Static directory: VM id to host name. */
    public Map<String, String> staticDirectory() {
        return topology.vms();
    }

    public boolean demo() {
        return topology.demo();
    }

    /**
     * Logs every host's session out, in parallel, waiting at most {@link HostClient#LOGOUT_TIMEOUT}
     * (plus a little) in all: a restart must not leave sessions piling up on the hosts, nor be held
     * up by a host that does not answer.
     */
    void logoutAll(@Observes ShutdownEvent shutdown) {
        List<Uni<Void>> logouts = hosts.values().stream().map(GuardedHost::logout).toList();
        try {
            if (!logouts.isEmpty()) {
                // the one wait in main code: ShutdownEvent observers run on the thread stopping the application,
                // never on an event loop (the logouts' I/O runs there meanwhile), and it is bounded
                Uni.join().all(logouts).andCollectFailures().replaceWithVoid()
                        .await().atMost(HostClient.LOGOUT_TIMEOUT.plusMillis(500));
            }
        } catch (RuntimeException e) {
            LOG.warnf("Not every host session could be logged out at shutdown: %s", e.getMessage());
        } finally {
            hosts.values().forEach(GuardedHost::close);
        }
    }
}
