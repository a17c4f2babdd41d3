package com.guestops.gateway.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.guestops.gateway.config.GatewayConfig;
import com.guestops.gateway.support.LogCapture;
import io.quarkus.tls.BaseTlsConfiguration;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.vertx.mutiny.core.Vertx;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** How a real host's configuration is checked at startup and turned into an HTTP client. */
class HostEndpointTest {

    private static final Vertx VERTX = Vertx.vertx();

    /** A registry with one entry, {@code lab}, that trusts everything (an insecure lab set-up). */
    private static final TlsConfigurationRegistry REGISTRY = new TlsConfigurationRegistry() {
        @Override
        public Optional<TlsConfiguration> get(String name) {
            return name.equals("lab") ? Optional.of(new BaseTlsConfiguration() {
                @Override
                public boolean isTrustAll() {
                    return true;
                }
            }) : Optional.empty();
        }

        @Override
        public Optional<TlsConfiguration> getDefault() {
            return Optional.empty();
        }

        @Override
        public void register(String name, TlsConfiguration configuration) {
            throw new UnsupportedOperationException();
        }
    };

    @AfterAll
    static void closeVertx() {
        VERTX.closeAndAwait();
    }

    private static GatewayConfig.HostConfig host(Map<String, String> properties) {
        Map<String, String> all = new HashMap<>();
        properties.forEach((k, v) -> all.put("gateway.hosts.esx-01." + k, v));
        return new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(all, "test", 300))
                .withConverter(Duration.class, 200, new DurationConverter()) // "10s", as Quarkus reads it
                .withMapping(GatewayConfig.class)
                .build().getConfigMapping(GatewayConfig.class).hosts().get("esx-01");
    }

    private static HostEndpoint create(GatewayConfig.HostConfig config) {
        return HostEndpoint.create("esx-01", config, Duration.ofSeconds(30), 64, VERTX, REGISTRY, (host, result) -> { });
    }

    @Test
    void defaultsAreSafe() {
        GatewayConfig.HostConfig config = host(Map.of("type", "vim25", "url", "https://esx-01.example/sdk",
                "username", "svc", "password", "pw"));
        assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.maxPoolSize()).isEmpty(); // then the host's bulkhead size

        HostEndpoint endpoint = create(config);
        assertThat(endpoint.resolve("/x")).isEqualTo("https://esx-01.example/sdk/x");
        assertThat(endpoint.toString()).doesNotContain("pw");
    }

    @Test
    void missingSettingsFailStartupNamingEachOne() {
        assertThatThrownBy(() -> create(host(Map.of("type", "vim25"))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("gateway.hosts.esx-01.url is required")
                .hasMessageContaining("gateway.hosts.esx-01.username is required")
                .hasMessageContaining("gateway.hosts.esx-01.password is required");
    }

    @Test
    void badSettingsFailStartupWithoutShowingThePassword() {
        assertThatThrownBy(() -> HostEndpoint.create("esx-01", host(Map.of("type", "vim25", "url", "ftp://esx-01/sdk",
                "username", "svc", "password", "Sup3r-S3cret", "connect-timeout", "0s",
                "tls-configuration-name", "nope")), Duration.ofSeconds(30), 0, VERTX, REGISTRY, (h, r) -> { }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("url must be an absolute http(s) URL")
                .hasMessageContaining("connect-timeout must be positive")
                .hasMessageContaining("max-pool-size must be at least 1")
                .hasMessageContaining("no quarkus.tls.nope.* configuration exists")
                .hasMessageNotContaining("Sup3r-S3cret");
    }

    @Test
    void credentialsInTheUrlAreRefused() {
        assertThatThrownBy(() -> create(host(Map.of("type", "vim25",
                "url", "https://svc:Sup3r-S3cret@esx-01/sdk", "username", "svc", "password", "pw"))))
                .hasMessageContaining("must not carry a query, a fragment or user info")
                .hasMessageNotContaining("Sup3r-S3cret");
    }

    @Test
    void aTlsConfigurationThatTrustsEverythingIsAcceptedButWarnedAbout() {
        try (LogCapture log = LogCapture.start()) {
            create(host(Map.of("type", "vim25", "url", "https://esx-01.example/sdk",
                    "username", "svc", "password", "pw", "tls-configuration-name", "lab")));
            assertThat(log.lines()).anySatisfy(l -> assertThat(l).contains("WARN").contains("esx-01").contains("INSECURE"));
        }
    }

    @Test
    void plainHttpIsWarnedAbout() {
        try (LogCapture log = LogCapture.start()) {
            create(host(Map.of("type", "vapi", "url", "http://vc.example",
                    "username", "svc", "password", "pw")));
            assertThat(log.lines()).anySatisfy(l -> assertThat(l).contains("WARN").contains("plain http"));
        }
    }
}
