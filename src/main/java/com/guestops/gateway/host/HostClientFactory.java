package com.guestops.gateway.host;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.guestops.gateway.config.GatewayConfig;
import com.guestops.gateway.config.GatewayConfig.HostConfig;
import com.guestops.gateway.host.simulator.SimulatorHostClient;
import com.guestops.gateway.host.simulator.SimulatorInventory;
import com.guestops.gateway.host.vapi.VapiHostClient;
import com.guestops.gateway.host.vim25.Vim25HostClient;
import com.guestops.gateway.metrics.GatewayMetrics;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Builds the {@link HostClient} for one configured host, by its type. */
@ApplicationScoped
public class HostClientFactory {

    private final ObjectMapper mapper;
    private final Vertx vertx;
    private final TlsConfigurationRegistry tls;
    private final GatewayConfig.Resilience resilience;
    private final GatewayMetrics metrics;

    @Inject
    public HostClientFactory(ObjectMapper mapper, Vertx vertx, TlsConfigurationRegistry tls, GatewayConfig config,
            GatewayMetrics metrics) {
        this.mapper = mapper;
        this.vertx = vertx;
        this.tls = tls;
        this.resilience = config == null ? null : config.resilience();
        this.metrics = metrics;
    }

    /** For unit tests of the configuration: with a null Vert.x, simulators only. */
    public HostClientFactory(ObjectMapper mapper, Vertx vertx) {
        this(mapper, vertx, null, null, null);
    }

    public HostClient create(String name, HostConfig config) {
        return switch (config.type()) {
            case SIMULATOR -> simulator(name, config.inventory());
            case VIM25 -> new Vim25HostClient(endpoint(name, config));
            case VAPI -> new VapiHostClient(endpoint(name, config), mapper);
        };
    }

    public SimulatorHostClient simulator(String name, String inventoryLocation) {
        return new SimulatorHostClient(name, SimulatorInventory.load(inventoryLocation, mapper), vertx);
    }

    private HostEndpoint endpoint(String name, HostConfig config) {
        if (vertx == null || resilience == null || metrics == null) {
            throw new IllegalStateException("Host '" + name + "' (" + config.type() + ") needs the Vert.x runtime");
        }
        // the same per-attempt timeout as the host's guard (resilience.attempt-timeout), so the HTTP
        // client gives up on a request, and frees its connection, when the guard gives up on the attempt
        var overrides = config.resilience();
        return HostEndpoint.create(name, config,
                overrides.attemptTimeout().orElse(resilience.attemptTimeout()),
                config.maxPoolSize().orElse(overrides.bulkheadMaxConcurrent().orElse(resilience.bulkhead().maxConcurrent())),
                io.vertx.mutiny.core.Vertx.newInstance(vertx), tls, metrics::login);
    }
}
