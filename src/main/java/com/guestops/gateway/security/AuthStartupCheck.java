package com.guestops.gateway.security;

import com.guestops.gateway.routing.HostRegistry;
import io.quarkus.runtime.Startup;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * Decides at startup how callers are checked, and refuses to start on an unsafe or inconsistent
 * configuration (the message names what to set):
 *
 * <ul>
 * <li>{@code gateway.auth.enabled=true} (the default) and a verification key configured → {@link AuthMode#ENFORCED}.</li>
 * <li>enabled, no key, and only the embedded demo simulator serving (no {@code gateway.hosts}) →
 * {@link AuthMode#RELAXED_DEMO} with a loud WARN: the zero-set-up demo terminates nothing real.</li>
 * <li>enabled, no key, real hosts configured → startup fails.</li>
 * <li>{@code gateway.auth.enabled=false} → {@link AuthMode#DISABLED} with a loud WARN.</li>
 * </ul>
 * Scoping rules are validated when enforced (each host they name must be configured, VM patterns well formed), and
 * a local key file must be readable.
 */
@Startup
@Singleton
public class AuthStartupCheck {

    private static final Logger LOG = Logger.getLogger(AuthStartupCheck.class);
    static final String BLOCKING_PROPERTY = "quarkus.smallrye-jwt.blocking-authentication";
    static final String CLOCK_SKEW_PROPERTY = "mp.jwt.verify.clock.skew";
    static final String GROUPS_PATH_PROPERTY = "smallrye.jwt.path.groups";

    private final AuthSettings settings;

    @Inject
    public AuthStartupCheck(AuthConfig auth, Config config, HostRegistry registry, Instance<JWTAuthContextInfo> verifier) {
        Set<String> hostNames = new TreeSet<>();
        registry.hosts().forEach(h -> hostNames.add(h.name()));
        this.settings = evaluate(auth, config, registry.demo(), hostNames);
        if (settings.enforced()) {
            // smallrye-jwt reads a local key file when it builds the verifier's settings: a file that cannot be read
            // stops the start here (its message names the property) instead of answering every caller 500 later.
            // A JWKS URL is not fetched here.
            verifier.get().getSignatureAlgorithm();
        }
    }

    public AuthSettings settings() {
        return settings;
    }

    /**
     * The decision, without CDI, so that it can be tested for any configuration.
     *
     * @param demoOnly  true when no host is configured and the embedded demo simulator is the only host
     * @param hostNames the configured host names (rules may only name these)
     * @throws IllegalStateException when the gateway must not start
     */
    public static AuthSettings evaluate(AuthConfig auth, Config config, boolean demoOnly, Set<String> hostNames) {
        VerificationKeys keys = VerificationKeys.from(config);
        List<AuthConfig.Rule> configuredRules = auth.rules().orElse(List.of());
        if (!auth.enabled()) {
            LOG.warn("Caller authentication is DISABLED (gateway.auth.enabled=false): anyone who can reach this"
                    + " gateway can terminate guest processes on every configured host. Only do this when something"
                    + " in front of the gateway authenticates and authorizes callers.");
            warnIgnoredRules(configuredRules);
            return new AuthSettings(AuthMode.DISABLED, auth.requiredRole(), List.of(), false);
        }
        if (!keys.configured()) {
            if (demoOnly) {
                LOG.warn("Caller authentication is RELAXED: gateway.auth.enabled=true but no token verification key"
                        + " is configured, and only the embedded demo simulator (which terminates nothing real) is"
                        + " serving, so ANY caller is accepted. Set mp.jwt.verify.publickey.location (PEM key or JWKS"
                        + " URL) to require bearer tokens; once a real host is configured under gateway.hosts the gateway"
                        + " refuses to start without a key.");
                warnIgnoredRules(configuredRules);
                return new AuthSettings(AuthMode.RELAXED_DEMO, auth.requiredRole(), List.of(), false);
            }
            throw new IllegalStateException("Caller authentication is enabled (gateway.auth.enabled=true) but no token"
                    + " verification key is configured, so nobody could be authenticated and the gateway refuses to start."
                    + " Set mp.jwt.verify.publickey.location to a PEM public key or a JWKS URL (for example your"
                    + " Kubernetes service-account issuer's or OIDC provider's keys), together with mp.jwt.verify.issuer"
                    + " and mp.jwt.verify.audiences (see docs/security.md). Only if something in front of the gateway"
                    + " authenticates callers, set gateway.auth.enabled=false instead.");
        }
        List<String> problems = new ArrayList<>();
        String role = auth.requiredRole().trim();
        if (role.isEmpty()) {
            problems.add("gateway.auth.required-role must not be blank");
        }
        List<ScopeRule> rules = rules(configuredRules, hostNames, problems);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Invalid caller authorization configuration:\n  " + String.join("\n  ", problems));
        }
        boolean blocking = config.getOptionalValue(BLOCKING_PROPERTY, Boolean.class).orElse(keys.remote());
        Duration skew = Duration.ofSeconds(config.getOptionalValue(CLOCK_SKEW_PROPERTY, Integer.class)
                .orElse((int) AuthSettings.DEFAULT_CLOCK_SKEW.toSeconds()));
        Optional<Duration> maxAge = auth.maxTokenAge();
        if (maxAge.isPresent() && (maxAge.get().isNegative() || maxAge.get().isZero())) {
            throw new IllegalStateException("Invalid caller authorization configuration: gateway.auth.max-token-age must be"
                    + " positive (or unset for no limit), not " + maxAge.get());
        }
        String groupsPath = config.getOptionalValue(GROUPS_PATH_PROPERTY, String.class).orElse(AuthSettings.DEFAULT_GROUPS_PATH);
        LOG.infof("Caller authentication ENFORCED: bearer JWT verified with %s, issuer %s, audiences %s; required role"
                + " '%s'; %d scoping rule(s); clock skew %ss; maximum token age %s; verification on %s", keys.location(),
                keys.issuer().orElse("(any)"), keys.audiences().orElse("(any)"), role, rules.size(), skew.toSeconds(),
                maxAge.map(Duration::toString).orElse("none"), blocking ? "worker threads" : "the event loop");
        if (keys.issuer().isEmpty()) {
            LOG.warn("mp.jwt.verify.issuer is not set: tokens of any issuer are accepted as long as the key verifies"
                    + " them. Set it to the issuer of your callers' tokens.");
        }
        if (keys.audiences().isEmpty()) {
            LOG.warn("mp.jwt.verify.audiences is not set: a token minted for another service by the same issuer is"
                    + " accepted here too. Set it to the audience your callers request for this gateway.");
        }
        return new AuthSettings(AuthMode.ENFORCED, role, rules, blocking, skew, maxAge, groupsPath);
    }

    private static List<ScopeRule> rules(List<AuthConfig.Rule> configured, Set<String> hostNames, List<String> problems) {
        List<ScopeRule> rules = new ArrayList<>();
        for (int i = 0; i < configured.size(); i++) {
            AuthConfig.Rule rule = configured.get(i);
            String name = "gateway.auth.rules[" + i + "]";
            Set<String> subjects = entries(rule.subjects(), name + ".subjects", problems);
            Set<String> groups = entries(rule.groups(), name + ".groups", problems);
            Set<String> vms = entries(rule.vms(), name + ".vms", problems);
            Set<String> hosts = entries(rule.hosts(), name + ".hosts", problems);
            for (String vm : vms) {
                if (!ScopeRule.VM_PATTERN.matcher(vm).matches()) {
                    problems.add(name + ".vms: '" + vm + "' is not a VM id pattern (VM id characters"
                            + " [A-Za-z0-9._:-] and the wildcards * and ?)");
                }
            }
            for (String host : hosts) {
                if (!hostNames.contains(host)) {
                    problems.add(name + ".hosts names host '" + host + "', which is not configured under gateway.hosts"
                            + " (configured: " + String.join(", ", new TreeSet<>(hostNames)) + ")");
                }
            }
            rules.add(new ScopeRule(i, subjects, groups, List.copyOf(vms), hosts));
        }
        return rules;
    }

    private static Set<String> entries(Optional<List<String>> values, String name, List<String> problems) {
        Set<String> entries = new LinkedHashSet<>();
        for (String value : values.orElse(List.of())) {
            String trimmed = value == null ? "" : value.trim();
            if (trimmed.isEmpty()) {
                problems.add(name + " has a blank entry");
            } else {
                entries.add(trimmed);
            }
        }
        return entries;
    }

    private static void warnIgnoredRules(List<AuthConfig.Rule> rules) {
        if (!rules.isEmpty()) {
            LOG.warnf("%d gateway.auth.rules are configured but IGNORED: callers are not authenticated, so no rule"
                    + " can apply.", rules.size());
        }
    }
}
