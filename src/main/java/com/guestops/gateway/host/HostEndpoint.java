package com.guestops.gateway.host;

import com.guestops.gateway.config.GatewayConfig.HostConfig;
import com.guestops.gateway.config.HostPolicy;
import com.guestops.gateway.config.NanoClock;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.quarkus.tls.runtime.config.TlsConfigUtils;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import org.jboss.logging.Logger;

/**
 * What a real host client (vim25, vapi) needs to reach its host: the endpoint, the service account,
 * and its {@link HostHttp} (capped, timed exchanges over pools of its own, with the host's TLS trust),
 * all set from the host's {@link HostPolicy}.
 *
 * <p>TLS: an {@code https} URL is verified (certificate chain and host name) against the JVM's
 * default trust store, or against the trust store of the {@code quarkus.tls.<name>} registry entry
 * that {@code tls-configuration-name} names (the usual way to trust a self-signed ESXi certificate).
 * There is no switch of our own to turn verification off; a registry entry with {@code trust-all}
 * or {@code hostname-verification-algorithm=NONE} does, for that host only, and a WARN says so.
 *
 * @param password revealed only when it goes on the wire; never logged
 * @param logins   records one login outcome (host, result) in the metrics
 * @param sessionTimeout how long one login, session check or session set-up may take (the host's
 *                       attempt timeout); a logout has its own, shorter bound
 * @param clock    for the refused-login back-off
 */
public record HostEndpoint(String name, URI url, String username, Secret password, HostHttp http,
        java.time.Duration sessionTimeout, BiConsumer<String, String> logins, NanoClock clock) {

    /** Connections for the service-account session (logins, session checks, logouts). */
    private static final int SESSION_POOL = 2;
    /** Requests waiting for a connection, per pool (each waits within its attempt's time). */
    private static final int WAIT_QUEUE = 256;

    private static final Logger LOG = Logger.getLogger(HostEndpoint.class);

    /**
     * Validates a host's configuration and builds its HTTP client.
     *
     * @param policy the host's effective settings (timeouts, pool sizes, response cap)
     * @param logins where login outcomes are counted
     * @throws IllegalStateException naming the host and every missing or invalid setting
     */
    public static HostEndpoint create(String name, HostConfig config, HostPolicy policy, Vertx vertx,
            TlsConfigurationRegistry tls, BiConsumer<String, String> logins, NanoClock clock) {
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
        } else if (url.getPort() != -1 && (url.getPort() < 1 || url.getPort() > 65535)) {
            // java.net.URI takes any number of digits; the socket address would refuse it, naming nothing
            problems.add(prefix + "url must name a port from 1 to 65535");
        }
        if (config.username().filter(u -> !u.isBlank()).isEmpty()) {
            problems.add(prefix + "username is required");
        }
        if (config.password().filter(p -> !p.isEmpty()).isEmpty()) {
            problems.add(prefix + "password is required"); // never say more about a password than that
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
        HttpClientOptions options = new HttpClientOptions()
                .setKeepAlive(true)
                .setConnectTimeout(Math.toIntExact(policy.connectTimeout().toMillis()))
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
        Map<HostHttp.Pool, LoopClients> pools = new EnumMap<>(HostHttp.Pool.class);
        pools.put(HostHttp.Pool.OPERATIONS, LoopClients.of(vertx, policy.maxPoolSize(), n -> client(name, vertx, options, n)));
        pools.put(HostHttp.Pool.LOOKUPS, LoopClients.single(client(name, vertx, options, policy.lookupConcurrency())));
        pools.put(HostHttp.Pool.SESSION, LoopClients.single(client(name, vertx, options, SESSION_POOL)));
        HostHttp http = new HostHttp(vertx, name, url, policy.maxResponseBytes(), policy.connectTimeout().toMillis(), pools);
        return new HostEndpoint(name, url, config.username().get(), Secret.of(config.password().get()), http,
                policy.attemptTimeout(), logins, clock);
    }

    private static HttpClient client(String name, Vertx vertx, HttpClientOptions options, int connections) {
        HttpClient client = vertx.createHttpClient(new HttpClientOptions(options),
                new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(WAIT_QUEUE));
        // a host resetting a connection is reported by the exchange it breaks; on an idle connection it
        // is nothing to report (without a handler Vert.x would log it as an ERROR)
        return client.connectionHandler(connection -> connection.exceptionHandler(e ->
                LOG.debugf("Host %s: connection failed (%s)", name, e.toString())));
    }

    /** The session of this host's client, counted in the login metrics and with the refused-login back-off. */
    public <S> SharedSession<S> session(java.util.function.Supplier<io.smallrye.mutiny.Uni<S>> login,
            java.util.function.Function<S, io.smallrye.mutiny.Uni<Void>> logout) {
        return new SharedSession<>(name, login, logout, result -> logins.accept(name, result), clock);
    }

    /** What a host must never see relayed back to a caller: the caller's secret and our own password. */
    public java.util.List<String> neverRelayed(GuestCredentials credentials) {
        return java.util.List.of(password.reveal(), credentials.secret().reveal());
    }

    /** {@link System#nanoTime()} by which a session call (login, check) must be answered, starting now. */
    public long sessionDeadline() {
        return System.nanoTime() + sessionTimeout.toNanos();
    }

    @Override
    public String toString() {
        return "HostEndpoint[" + name + " " + url + " as " + username + "]";
    }
}
