package com.guestops.gateway.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.guestops.gateway.config.GatewayConfig.HostConfig;
import com.guestops.gateway.config.HostPolicy;
import com.guestops.gateway.config.HostType;
import com.guestops.gateway.config.NanoClock;
import com.guestops.gateway.host.HostClient;
import com.guestops.gateway.host.HostClientFactory;
import com.guestops.gateway.host.simulator.SimulatorInventory;
import com.guestops.gateway.metrics.GatewayMetrics;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.vertx.core.Vertx;
import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The test boot's host factory: the production clients, each inside a test wrapper that tests can
 * reach by host name ({@link ControllableSimulator} for simulators, {@link SwappableHostClient} for
 * real hosts). Production classes carry no test hooks; this is where tests hold on.
 */
@Alternative
@Priority(1)
@Singleton
public class TestHostClientFactory extends HostClientFactory {

    private final ObjectMapper mapper;
    private final Vertx vertx;
    private final Clock wallClock;
    private final Map<String, HostClient> clients = new ConcurrentHashMap<>();

    @Inject
    public TestHostClientFactory(ObjectMapper mapper, Vertx vertx, TlsConfigurationRegistry tls, GatewayMetrics metrics,
            NanoClock clock, Clock wallClock) {
        super(mapper, vertx, tls, metrics, clock, wallClock);
        this.mapper = mapper;
        this.vertx = vertx;
        this.wallClock = wallClock;
    }

    @Override
    public HostClient create(String name, HostConfig config, HostPolicy policy) {
        HostClient client = config.type() == HostType.SIMULATOR
                ? new ControllableSimulator(name, SimulatorInventory.load(config.inventory(), mapper), vertx, wallClock)
                : new SwappableHostClient(() -> super.create(name, config, policy));
        clients.put(name, client);
        return client;
    }

    public ControllableSimulator simulator(String name) {
        return (ControllableSimulator) client(name);
    }

    public SwappableHostClient real(String name) {
        return (SwappableHostClient) client(name);
    }

    public Map<String, HostClient> all() {
        return Map.copyOf(clients);
    }

    private HostClient client(String name) {
        HostClient client = clients.get(name);
        if (client == null) {
            throw new IllegalArgumentException("No host " + name + " in the test configuration");
        }
        return client;
    }
}
