package com.guestops.gateway.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.guestops.gateway.config.GatewayConfig;
import com.guestops.gateway.config.HostPolicy;
import com.guestops.gateway.config.NanoClock;
import com.guestops.gateway.support.LogCapture;
import io.quarkus.tls.BaseTlsConfiguration;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
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
        VERTX.close().toCompletionStage().toCompletableFuture().join();
    }

    private static GatewayConfig config(Map<String, String> properties) {
        Map<String, String> all = new HashMap<>();
        properties.forEach((k, v) -> all.put("gateway.hosts.esx-01." + k, v));
        return new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(all, "test", 300))
                .withConverter(Duration.class, 200, new DurationConverter()) // "10s", as Quarkus reads it
                .withConverter(MemorySize.class, 200, new MemorySizeConverter()) // "1M"
                .withMapping(GatewayConfig.class)
                .build().getConfigMapping(GatewayConfig.class);
    }

    private static GatewayConfig.HostConfig host(Map<String, String> properties) {
        return config(properties).hosts().get("esx-01");
    }

    private static HostEndpoint create(Map<String, String> properties) {
        GatewayConfig config = config(properties);
        return HostEndpoint.create("esx-01", config.hosts().get("esx-01"), HostPolicy.of(config, "esx-01"), VERTX, REGISTRY,
                (host, result) -> { }, NanoClock.SYSTEM);
    }

    @Test
    void defaultsAreSafe() {
        Map<String, String> properties = Map.of("type", "vim25", "url", "https://esx-01.example/sdk",
                "username", "svc", "password", "pw");
        GatewayConfig.HostConfig config = host(properties);
        assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.maxPoolSize()).isEmpty(); // then the host's bulkhead size
        HostPolicy policy = HostPolicy.of(config(properties), "esx-01");
        assertThat(policy.maxPoolSize()).isEqualTo(64);
        assertThat(policy.maxResponseBytes()).isEqualTo(1024 * 1024);
        assertThat(policy.attemptTimeout()).isEqualTo(Duration.ofSeconds(30));

        HostEndpoint endpoint = create(properties);
        assertThat(endpoint.toString()).doesNotContain("pw");
    }

    /**
     * A request goes below the configured URL's path (one slash between them, whether the URL ends in one or not),
     * to its host and port, with the Host header a client given the whole URL would send.
     */
    @Test
    void requestsGoBelowTheConfiguredUrl() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        HttpServer server = VERTX.createHttpServer().requestHandler(request -> {
            seen.add(request.method() + " " + request.uri() + " Host=" + request.getHeader("Host"));
            request.response().setStatusCode(204).end();
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        int port = server.actualPort();
        try {
            for (String url : List.of("http://127.0.0.1:" + port + "/base/", "http://127.0.0.1:" + port + "/base",
                    "http://127.0.0.1:" + port, "http://127.0.0.1:" + port + "/")) {
                HostEndpoint endpoint = create(Map.of("type", "vapi", "url", url, "username", "svc", "password", "pw"));
                for (String path : List.of("/api/session", "/api/vcenter/vm/vm-1/guest/processes/7?action=delete", "")) {
                    HostHttp.Answer answer = endpoint.http().send(HostHttp.Pool.SESSION, HttpMethod.POST, path,
                            List.of(), Buffer.buffer(), System.nanoTime() + 10_000_000_000L, false)
                            .await().atMost(Duration.ofSeconds(10));
                    assertThat(answer.status()).isEqualTo(204);
                }
                endpoint.http().close();
            }
        } finally {
            server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        String host = " Host=127.0.0.1:" + port;
        assertThat(seen).containsExactly(
                "POST /base/api/session" + host, "POST /base/api/vcenter/vm/vm-1/guest/processes/7?action=delete" + host,
                "POST /base" + host,
                "POST /base/api/session" + host, "POST /base/api/vcenter/vm/vm-1/guest/processes/7?action=delete" + host,
                "POST /base" + host,
                "POST /api/session" + host, "POST /api/vcenter/vm/vm-1/guest/processes/7?action=delete" + host,
                "POST /" + host,
                "POST /api/session" + host, "POST /api/vcenter/vm/vm-1/guest/processes/7?action=delete" + host,
                "POST /" + host);
    }

    @Test
    void missingSettingsFailStartupNamingEachOne() {
        assertThatThrownBy(() -> create(Map.of("type", "vim25")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("gateway.hosts.esx-01.url is required")
                .hasMessageContaining("gateway.hosts.esx-01.username is required")
                .hasMessageContaining("gateway.hosts.esx-01.password is required");
    }

    @Test
    void badSettingsFailStartupWithoutShowingThePassword() {
        assertThatThrownBy(() -> create(Map.of("type", "vim25", "url", "ftp://esx-01/sdk",
                "username", "svc", "password", "Sup3r-S3cret", "tls-configuration-name", "nope")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("url must be an absolute http(s) URL")
                .hasMessageContaining("no quarkus.tls.nope.* configuration exists")
                .hasMessageNotContaining("Sup3r-S3cret");
        // the host's timeouts and sizes are checked where they are computed, once, with their names
        assertThatThrownBy(() -> HostPolicy.of(config(Map.of("type", "vim25", "connect-timeout", "0s", "max-pool-size", "0",
                "max-response-size", "0", "resilience.attempt-timeout", "0s")), "esx-01"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("gateway.hosts.esx-01.connect-timeout must be positive")
                .hasMessageContaining("gateway.hosts.esx-01.max-pool-size must be at least 1")
                .hasMessageContaining("gateway.hosts.esx-01.max-response-size must be at least 1")
                .hasMessageContaining("gateway.hosts.esx-01.resilience.attempt-timeout must be positive");
    }

    /** Found by review: a port TCP does not have failed startup with Vert.x's message, naming neither host nor setting. */
    @Test
    void aPortOutsideTcpsRangeFailsStartupNamingTheUrl() {
        for (String url : new String[] {"http://esx-01:70000/sdk", "https://esx-01:65536/sdk", "http://esx-01:0/sdk"}) {
            assertThatThrownBy(() -> create(Map.of("type", "vim25", "url", url, "username", "svc", "password", "pw")))
                    .as(url)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Invalid configuration of host 'esx-01'")
                    .hasMessageContaining("gateway.hosts.esx-01.url must name a port from 1 to 65535");
        }
        assertThat(create(Map.of("type", "vim25", "url", "https://esx-01:65535/sdk", "username", "svc", "password", "pw"))
                .toString()).contains("esx-01:65535"); // the highest port is one
    }

    @Test
    void credentialsInTheUrlAreRefused() {
        assertThatThrownBy(() -> create(Map.of("type", "vim25",
                "url", "https://svc:Sup3r-S3cret@esx-01/sdk", "username", "svc", "password", "pw")))
                .hasMessageContaining("must not carry a query, a fragment or user info")
                .hasMessageNotContaining("Sup3r-S3cret");
    }

    @Test
    void aTlsConfigurationThatTrustsEverythingIsAcceptedButWarnedAbout() {
        try (LogCapture log = LogCapture.start()) {
            create(Map.of("type", "vim25", "url", "https://esx-01.example/sdk",
                    "username", "svc", "password", "pw", "tls-configuration-name", "lab"));
            assertThat(log.lines()).anySatisfy(l -> assertThat(l).contains("WARN").contains("esx-01").contains("INSECURE"));
        }
    }

    @Test
    void plainHttpIsWarnedAbout() {
        try (LogCapture log = LogCapture.start()) {
            create(Map.of("type", "vapi", "url", "http://vc.example",
                    "username", "svc", "password", "pw"));
            assertThat(log.lines()).anySatisfy(l -> assertThat(l).contains("WARN").contains("plain http"));
        }
    }

    /** A header value HTTP cannot carry (a line break that would start a header line of its own): nothing is sent. */
    @Test
    void aHeaderValueHttpCannotCarryFailsTheExchangeAtOnceAndSendsNothing() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        HttpServer server = VERTX.createHttpServer().requestHandler(request -> {
            seen.add(request.uri());
            request.response().setStatusCode(204).end();
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        HostEndpoint endpoint = create(Map.of("type", "vapi", "url", "http://127.0.0.1:" + server.actualPort(),
                "username", "svc", "password", "pw"));
        try (LogCapture log = LogCapture.start()) {
            long started = System.nanoTime();
            assertThatThrownBy(() -> endpoint.http().send(HostHttp.Pool.OPERATIONS, HttpMethod.POST, "/kill",
                    List.of(new HostHttp.Header("vmware-api-session-id", "s3cr3t\r\nX-Injected: yes")), Buffer.buffer(),
                    System.nanoTime() + 10_000_000_000L, true).await().atMost(Duration.ofSeconds(10)))
                    .isInstanceOfSatisfying(HostFailure.class, f -> {
                        assertThat(f.kind()).isEqualTo(HostFailure.Kind.BAD_RESPONSE);
                        assertThat(f.operationSent()).as("nothing was sent").isFalse();
                        assertThat(f.getMessage()).doesNotContain("s3cr3t");
                    });
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
            // the connection it held went back: the next exchange is sent
            endpoint.http().send(HostHttp.Pool.OPERATIONS, HttpMethod.POST, "/next", List.of(), Buffer.buffer(),
                    System.nanoTime() + 10_000_000_000L, true).await().atMost(Duration.ofSeconds(10));
            assertThat(seen).containsExactly("/next");
            assertThat(log.all()).doesNotContain("s3cr3t");
        } finally {
            endpoint.http().close();
            server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aRequestHeaderNeverShowsItsValue() {
        HostHttp.Header basic = new HostHttp.Header("Authorization", "Basic c3ZjOnMzY3JldA==");
        assertThat(basic.toString()).contains("Authorization").doesNotContain("c3ZjOnMzY3JldA").doesNotContain("Basic");
    }
}
