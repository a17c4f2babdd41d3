package com.guestops.gateway.routing;

import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.error.GatewayMessages;
import com.guestops.gateway.error.VapiException;
import com.guestops.gateway.host.HostClient;
import com.guestops.gateway.metrics.GatewayMetrics;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Finds the host that owns a VM. */
@ApplicationScoped
public class HostDirectory {

    private final HostRegistry registry;
    private final GatewayMetrics metrics;

    @Inject
    public HostDirectory(HostRegistry registry, GatewayMetrics metrics) {
        this.registry = registry;
        this.metrics = metrics;
    }

    /** The owning host, or a failure with {@code not_found} / {@value GatewayMessages#NO_ROUTE}. */
    public Uni<HostClient> resolve(String vm) {
        String hostName = registry.staticDirectory().get(vm);
        HostClient host = hostName == null ? null : registry.host(hostName).orElse(null);
        metrics.directoryLookup(host == null ? "not_found" : "static");
        if (host == null) {
            return Uni.createFrom().failure(VapiException.gateway(ErrorType.NOT_FOUND, GatewayMessages.NO_ROUTE,
                    "No configured host owns virtual machine " + vm + ".", vm));
        }
        return Uni.createFrom().item(host);
    }
}
