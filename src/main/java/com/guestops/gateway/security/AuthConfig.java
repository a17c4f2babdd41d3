package com.guestops.gateway.security;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Caller authentication and authorization ({@code gateway.auth.*}); the names are part of the public
 * interface. Token verification itself (key or JWKS, issuer, audiences, clock skew) is configured with
 * the standard MicroProfile JWT properties ({@code mp.jwt.verify.*}).
 */
@ConfigMapping(prefix = "gateway.auth")
public interface AuthConfig {

    /**
     * Whether callers must present a bearer JWT. On by default in every profile; see {@link AuthStartupCheck}
     * for when the embedded demo relaxes it and when startup is refused.
     */
    @WithDefault("true")
    boolean enabled();

    /**
     * Mutual TLS: every terminate request must come over HTTPS with a client certificate that the HTTP server's TLS
     * configuration ({@code quarkus.http.tls-configuration-name}) verified against its trust store, the callers' CA;
     * without one it is refused 401 {@code unauthenticated} ({@link ClientCertificates}). It
     * authenticates the connection, beside the bearer token, which still names the caller (docs/security.md).
     */
    @WithDefault("false")
    boolean clientCertificateRequired();

    /** The role (an entry of the token's {@code groups} claim) a caller needs to terminate processes. */
    @WithDefault(DEFAULT_ROLE)
    String requiredRole();

    /**
     * The oldest token accepted, counted from its {@code iat} claim, whatever its {@code exp} says (a token
     * minted with a far-future expiry still ages out). Off when unset.
     */
    Optional<Duration> maxTokenAge();

    /**
     * How many verified tokens to remember (by their SHA-256), each until it expires, so that a caller's token is
     * verified once rather than on every request; 0 verifies every request's token.
     */
    @WithDefault("10000")
    int verifiedTokenCacheSize();

    /**
     * Optional scoping rules, in order. The first rule whose {@code subjects} or {@code groups} match the
     * caller decides which VMs and hosts it may act on; a caller no rule matches is denied. No rules: a
     * caller with the required role may act on every VM.
     */
    Optional<List<Rule>> rules();

    interface Rule {
        /** Token subjects ({@code sub} claim) this rule applies to, e.g. {@code system:serviceaccount:ops:reaper}. */
        Optional<List<String>> subjects();

        /** Groups ({@code groups} claim) this rule applies to. A rule with neither subjects nor groups matches every caller. */
        Optional<List<String>> groups();

        /** VM id patterns the caller may act on ({@code *} any run of characters, {@code ?} one). None: any VM. */
        Optional<List<String>> vms();

        /** Host names (under {@code gateway.hosts}) the caller may act on. None: any host. */
        Optional<List<String>> hosts();
    }

    String DEFAULT_ROLE = "guestops.terminate";
}
