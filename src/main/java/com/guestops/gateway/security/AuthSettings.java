package com.guestops.gateway.security;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The caller checks in force, decided once at startup by {@link AuthStartupCheck}.
 *
 * @param mode                 whether callers are checked at all
 * @param requiredRole         the group a caller's token must list
 * @param rules                scoping rules in order; empty: no scoping
 * @param blockingVerification verify tokens on a worker thread (the key is fetched over HTTP), not on the event loop
 * @param clockSkew            tolerated clock difference with the issuer ({@code mp.jwt.verify.clock.skew}), also for {@code iat}
 * @param maxTokenAge          tokens issued longer ago than this are refused ({@code gateway.auth.max-token-age}); empty: no limit
 * @param groupsPath           where the token lists its groups ({@code smallrye.jwt.path.groups}, default {@code groups})
 */
public record AuthSettings(AuthMode mode, String requiredRole, List<ScopeRule> rules, boolean blockingVerification,
        Duration clockSkew, Optional<Duration> maxTokenAge, String groupsPath) {

    /** smallrye-jwt's own defaults: 60 s of clock skew, groups in the {@code groups} claim. */
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(60);
    public static final String DEFAULT_GROUPS_PATH = "groups";

    public AuthSettings {
        rules = List.copyOf(rules);
        clockSkew = clockSkew == null ? DEFAULT_CLOCK_SKEW : clockSkew;
        maxTokenAge = maxTokenAge == null ? Optional.empty() : maxTokenAge;
        groupsPath = groupsPath == null || groupsPath.isBlank() ? DEFAULT_GROUPS_PATH : groupsPath;
    }

    /** Settings with smallrye-jwt's default clock skew and groups claim, and no maximum token age. */
    public AuthSettings(AuthMode mode, String requiredRole, List<ScopeRule> rules, boolean blockingVerification) {
        this(mode, requiredRole, rules, blockingVerification, DEFAULT_CLOCK_SKEW, Optional.empty(), DEFAULT_GROUPS_PATH);
    }

    public boolean enforced() {
        return mode == AuthMode.ENFORCED;
    }
}
