package com.guestops.gateway.config;

import com.guestops.gateway.host.HostType;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.net.URI;
import java.util.Map;
import java.util.Optional;

/**
 * The gateway's configuration contract ({@code gateway.*}); the names are part of the public interface.
 *
 * <p>{@code hosts} and {@code vms} are maps, and Quarkus merges map entries from every config source.
 * That is why the demo simulator is not declared here as a default: it is added in code only when no
 * host is configured at all (see {@code HostRegistry}).
 */
@ConfigMapping(prefix = "gateway")
public interface GatewayConfig {

    /** Hosts by name. The name is used as the {@code host} metric tag, so it is a small closed set. */
    Map<String, HostConfig> hosts();

    /** Static directory: VM id to host name. */
    Map<String, String> vms();

    interface HostConfig {
        HostType type();

        /** {@code https://esx-01.example/sdk} (vim25) or {@code https://vcenter.example} (vapi). */
        Optional<URI> url();

        /** Service account the gateway logs in with (vim25, vapi). */
        Optional<String> username();

        /** Service account password; fill it from a Kubernetes Secret through an environment variable. */
        Optional<String> password();

        /** Name of a {@code quarkus.tls.<name>} registry entry holding the trust store for this host. */
        @WithName("tls-configuration-name")
        Optional<String> tlsConfigurationName();

        /**
         * Simulator only: where its inventory is described, {@code classpath:...} or a file path.
         * Default: the built-in demo inventory.
         */
        @WithDefault(DEMO_INVENTORY)
        String inventory();
    }

    String DEMO_INVENTORY = "classpath:simulator/demo-inventory.json";
}
