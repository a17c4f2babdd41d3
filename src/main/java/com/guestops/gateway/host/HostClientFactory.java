package com.guestops.gateway.host;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.guestops.gateway.config.GatewayConfig.HostConfig;
import com.guestops.gateway.config.HostPolicy;
import com.guestops.gateway.config.NanoClock;
import com.guestops.gateway.host.simulator.SimulatorHostClient;
import com.guestops.gateway.host.simulator.SimulatorInventory;
import com.guestops.gateway.host.vapi.VapiHostClient;
import com.guestops.gateway.host.vim25.Vim25HostClient;
import com.guestops.gateway.metrics.GatewayMetrics;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;

/** Builds the {@link HostClient} for one configured host, by its type, with the host's {@link HostPolicy}. */
@Singleton
public class HostClientFactory {

    private final ObjectMapper mapper;
    private final Vertx vertx;
    private final TlsConfigurationRegistry tls;
    private final GatewayMetrics metrics;
    private final NanoClock clock;
    private final Clock wallClock;

    @Inject
    public HostClientFactory(ObjectMapper mapper, Vertx vertx, TlsConfigurationRegistry tls, GatewayMetrics metrics,
            NanoClock clock, Clock wallClock) {
        this.mapper = mapper;
        this.vertx = vertx;
        this.tls = tls;
        this.metrics = metrics;
        this.clock = clock;
        this.wallClock = wallClock;
    }

    /** For unit tests of the configuration: with a null Vert.x, simulators only. */
    public HostClientFactory(ObjectMapper mapper, Vertx vertx) {
        this(mapper, vertx, null, null, NanoClock.SYSTEM, Clock.systemUTC());
    }

    public HostClient create(String name, HostConfig config, HostPolicy policy) {
        return switch (config.type()) {
            case SIMULATOR -> simulator(name, config.inventory());
            case VIM25 -> new Vim25HostClient(endpoint(name, config, policy));
            case VAPI -> new VapiHostClient(endpoint(name, config, policy), mapper);
        };
    }

    public SimulatorHostClient simulator(String name, String inventoryLocation) {
        return new SimulatorHostClient(name, SimulatorInventory.load(inventoryLocation, mapper), vertx, wallClock);
    }

    private HostEndpoint endpoint(String name, HostConfig config, HostPolicy policy) {
        if (vertx == null || metrics == null) {
            throw new IllegalStateException("Host '" + name + "' (" + config.type() + ") needs the Vert.x runtime");
        }
        return HostEndpoint.create(name, config, policy, vertx, tls, metrics::login, clock);
    }
}
