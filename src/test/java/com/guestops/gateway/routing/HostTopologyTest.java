package com.guestops.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.guestops.gateway.config.GatewayConfig;
import com.guestops.gateway.host.HostClientFactory;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * How configuration becomes hosts and a directory, with the application's real
 * {@code application.properties} as the lowest-priority source (as Quarkus loads it).
 */
class HostTopologyTest {

    private final HostClientFactory factory = new HostClientFactory(new ObjectMapper(), null);

    private static GatewayConfig config(Map<String, String> user) throws IOException {
        // the shipped file itself: on the test class path, src/test/resources has an application.properties too
        URL defaults = Path.of("src/main/resources/application.properties").toUri().toURL();
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withProfile("prod")
                .withSources(new PropertiesConfigSource(defaults, 250))
                .withSources(new PropertiesConfigSource(user, "user", 300))
                .withConverter(java.time.Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .withConverter(io.quarkus.runtime.configuration.MemorySize.class, 200,
                        new io.quarkus.runtime.configuration.MemorySizeConverter())
                .withMapping(GatewayConfig.class)
                .build();
        return config.getConfigMapping(GatewayConfig.class);
    }

    @Test
    void withoutHostsTheDemoSimulatorServesTheDemoVms() throws IOException {
        HostTopology topology = HostTopology.build(config(Map.of()), factory);
        assertThat(topology.demo()).isTrue();
        assertThat(topology.hosts()).containsOnlyKeys("demo");
        assertThat(topology.vms()).containsOnlyKeys("vm-1", "vm-2", "vm-3", "vm-4", "vm-5").containsValue("demo");
    }

    @Test
    void userHostsDoNotGetTheDemoHostOrItsVmsMergedIn() throws IOException {
        HostTopology topology = HostTopology.build(config(Map.of(
                "gateway.hosts.lab.type", "simulator",
                "gateway.vms.vm-9", "lab")), factory);
        assertThat(topology.demo()).isFalse();
        assertThat(topology.hosts()).containsOnlyKeys("lab");
        assertThat(topology.vms()).containsExactly(Map.entry("vm-9", "lab"));
    }

    @Test
    void directoryEntryNamingAnUnknownHostFailsStartupClearly() {
        assertThatThrownBy(() -> HostTopology.build(config(Map.of(
                "gateway.hosts.lab.type", "simulator",
                "gateway.vms.vm-9", "esx-99")), factory))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("gateway.vms.vm-9")
                .hasMessageContaining("'esx-99'")
                .hasMessageContaining("configured: lab");
    }

    @Test
    void invalidVmIdInDirectoryFailsStartup() {
        assertThatThrownBy(() -> HostTopology.build(config(Map.of(
                "gateway.hosts.lab.type", "simulator",
                "gateway.vms.\"vm 9\"", "lab")), factory))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not a valid VM id");
    }

    @Test
    void hostNamesMustBeUsableAsMetricTags() {
        assertThatThrownBy(() -> HostTopology.build(config(Map.of("gateway.hosts.ESX_01.type", "simulator")), factory))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ESX_01");
    }
}
