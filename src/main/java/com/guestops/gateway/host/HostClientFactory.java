package com.guestops.gateway.host;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.guestops.gateway.config.GatewayConfig.HostConfig;
import com.guestops.gateway.host.simulator.SimulatorHostClient;
import com.guestops.gateway.host.simulator.SimulatorInventory;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Builds the {@link HostClient} for one configured host, by its type. */
@ApplicationScoped
public class HostClientFactory {

    private final ObjectMapper mapper;
    private final Vertx vertx;

    @Inject
    public HostClientFactory(ObjectMapper mapper, Vertx vertx) {
        this.mapper = mapper;
        this.vertx = vertx;
    }

    public HostClient create(String name, HostConfig config) {
        return switch (config.type()) {
            case SIMULATOR -> simulator(name, config.inventory());
            case VIM25, VAPI -> throw new IllegalStateException(
                    "gateway.hosts." + name + ".type=" + config.type().name().toLowerCase()
                            + " is not supported by this build");
        };
    }

    public SimulatorHostClient simulator(String name, String inventoryLocation) {
        return new SimulatorHostClient(name, SimulatorInventory.load(inventoryLocation, mapper), vertx);
    }
}
