package com.guestops.gateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.guestops.gateway.config.GatewayConfig;
import com.guestops.gateway.config.HostPolicy;
import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.source.yaml.YamlConfigSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The forwarding settings of issue 12 travel through the chart: the response cap per host, the
 * lookup limits, and the Envoy retry budget's {@code min-concurrent} (its old {@code min-retries} and
 * {@code window} are refused, as the gateway refuses them), and the gateway reads what the chart renders.
 */
class ChartForwardingSettingsTest {

    @TempDir
    Path tmp;

    @Test
    void theChartRendersTheForwardingSettingsAndTheGatewayReadsThem() throws IOException {
        Path values = tmp.resolve("values.yaml");
        Files.writeString(values, """
                gateway:
                  hosts:
                    vc-01:
                      type: vapi
                      url: https://vc-01.example
                      username: svc
                      password: only-for-the-test
                      maxResponseSize: 256K
                      resilience:
                        retry-budget: {min-concurrent: 5}
                  discovery:
                    max-concurrent-lookups: 2
                    max-queued-lookups: 10
                  resilience:
                    retry-budget: {ratio: 0.1, min-concurrent: 4}
                extraConfig:
                  mp: {jwt: {verify: {publickey: NONE}}}
                """);
        String yaml = Charts.template(values).applicationYaml();
        JsonNode gateway = Charts.parseYaml(yaml).path("gateway");
        assertThat(gateway.at("/hosts/vc-01/max-response-size").asText()).isEqualTo("256K");

        GatewayConfig config = new SmallRyeConfigBuilder()
                .withSources(new YamlConfigSource("rendered", yaml))
                .withConverter(Duration.class, 200, new DurationConverter())
                .withConverter(MemorySize.class, 200, new MemorySizeConverter())
                .withMapping(GatewayConfig.class)
                .build().getConfigMapping(GatewayConfig.class);
        HostPolicy policy = HostPolicy.of(config, "vc-01");
        assertThat(policy.maxResponseBytes()).isEqualTo(256 * 1024);
        assertThat(policy.retryBudgetMinConcurrent()).isEqualTo(5);
        assertThat(policy.retryBudgetRatio()).isEqualTo(0.1);
        assertThat(policy.lookupConcurrency()).isEqualTo(2);
        assertThat(policy.lookupQueue()).isEqualTo(10);
    }

    @Test
    void theRetryBudgetsOldKeysAreRefused() throws IOException {
        for (String old : new String[] {"min-retries: 3", "window: 10s"}) {
            Path values = tmp.resolve("old-" + old.hashCode() + ".yaml");
            Files.writeString(values, "gateway:\n  resilience:\n    retry-budget: {" + old + "}\n");
            assertThatThrownBy(() -> Charts.template(values)).as(old).hasMessageContaining("schema");
        }
    }
}
