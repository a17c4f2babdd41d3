package com.guestops.gateway.host;

import com.guestops.gateway.config.GatewayConfig.HostConfig;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.quarkus.tls.runtime.config.TlsConfigUtils;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.web.client.WebClient;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;
import org.jboss.logging.Logger;

/**
 * What a real host client (vim25, vapi) needs to reach its host: the endpoint, the service account,
 * the per-attempt timeout (the host's {@code resilience.attempt-timeout}) and a non-blocking HTTP
 * client with the host's own TLS trust and pool.
 *
 * <p>TLS: an {@code https} URL is verified (certificate chain and host name) against the JVM's
 * default trust store, or against the trust store of the {@code quarkus.tls.<name>} registry entry
 * that {@code tls-configuration-name} names (the usual way to trust a self-signed ESXi certificate).
 * There is no switch of our own to turn verification off; a registry entry with {@code trust-all}
 * or {@code hostname-verification-algorithm=NONE} does, for that host only, and a WARN says so.
 *
 * @param password revealed only when it goes on the wire; never logged
 * @param logins   records one login outcome (host, result) in the metrics
 */
public record HostEndpoint(String name, URI url, String username, Secret password, Duration attemptTimeout,
        WebClient http, BiConsumer<String, String> logins) {

    private static final Logger LOG = Logger.getLogger(HostEndpoint.class);

    /**
     * Validates a host's configuration and builds its HTTP client.
     *
     * @param attemptTimeout the host's effective {@code resilience.attempt-timeout}
     * @param maxPoolSize    the host's effective pool size
     * @param logins         where login outcomes are counted
     * @throws IllegalStateException naming the host and every missing or invalid setting
     */
    public static HostEndpoint create(String name, HostConfig config, Duration attemptTimeout, int maxPoolSize,
            Vertx vertx, TlsConfigurationRegistry tls, BiConsumer<String, String> logins) {
        String prefix = "gateway.hosts." + name + ".";
        List<String> problems = new ArrayList<>();
        URI url = config.url().orElse(null);
        String scheme = url == null || url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (url == null) {
            problems.add(prefix + "url is required");
        } else if (!scheme.equals("https") && !scheme.equals("http") || url.getHost() == null) {
            problems.add(prefix + "url must be an absolute http(s) URL with a host");
        } else if (url.getRawQuery() != null || url.getRawFragment() != null || url.getRawUserInfo() != null) {
            problems.add(prefix + "url must not carry a query, a fragment or user info");
        }
        if (config.username().filter(u -> !u.isBlank()).isEmpty()) {
            problems.add(prefix + "username is required");
        }
        if (config.password().filter(p -> !p.isEmpty()).isEmpty()) {
            problems.add(prefix + "password is required"); // never say more about a password than that
        }
        if (attemptTimeout.isNegative() || attemptTimeout.isZero()) {
            problems.add(prefix + "resilience.attempt-timeout must be positive");
        }
        if (config.connectTimeout().isNegative() || config.connectTimeout().isZero()) {
            problems.add(prefix + "connect-timeout must be positive");
        }
        if (maxPoolSize < 1) {
            problems.add(prefix + "max-pool-size must be at least 1");
        }
        TlsConfiguration trust = null;
        if (config.tlsConfigurationName().isPresent()) {
            String tlsName = config.tlsConfigurationName().get();
            trust = tls == null ? null : tls.get(tlsName).orElse(null);
            if (trust == null) {
                problems.add(prefix + "tls-configuration-name names '" + tlsName
                        + "', but no quarkus.tls." + tlsName + ".* configuration exists");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Invalid configuration of host '" + name + "':\n  "
                    + String.join("\n  ", problems));
        }

        boolean https = scheme.equals("https");
        WebClientOptions options = new WebClientOptions()
                .setUserAgent("guestops-gateway")
                .setFollowRedirects(false)
                .setKeepAlive(true)
                .setConnectTimeout(Math.toIntExact(config.connectTimeout().toMillis()))
                .setMaxPoolSize(maxPoolSize)
                .setSsl(https)
                .setVerifyHost(true);
        if (https && trust != null) {
            TlsConfigUtils.configure(options, trust); // trust store, protocols, cipher suites, SNI
            if (trust.isTrustAll() || !options.isVerifyHost()) {
                LOG.warnf("Host '%s': TLS configuration '%s' disables certificate%s verification. This is INSECURE:"
                        + " anyone on the path can impersonate the host and read the service-account password.",
                        name, config.tlsConfigurationName().get(), trust.isTrustAll() ? "" : " host name");
            }
        } else if (!https) {
            LOG.warnf("Host '%s' is reached over plain http (%s): the service-account password and guest credentials"
                    + " travel unencrypted. Use https outside of tests.", name, url);
            config.tlsConfigurationName().ifPresent(t -> LOG.warnf(
                    "Host '%s': tls-configuration-name '%s' is ignored because the url is not https", name, t));
        }
        return new HostEndpoint(name, url, config.username().get(), Secret.of(config.password().get()),
                attemptTimeout, WebClient.create(vertx, options), logins);
    }

    /** The URL with {@code path} appended to the configured URL's path (no trailing slash doubled). */
    public String resolve(String path) {
        String base = url.toString();
        if (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return base + path;
    }

    @Override
    public String toString() {
        return "HostEndpoint[" + name + " " + url + " as " + username + "]";
    }
}
