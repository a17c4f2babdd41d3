package com.guestops.gateway.security;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Applies the scoping rules ({@code gateway.auth.rules}) to an authenticated caller. The first rule that
 * applies to the caller (by subject or group) decides; a caller no rule applies to is denied whenever
 * rules are configured. The VM pattern is checked before routing (so an out-of-scope caller learns
 * nothing about VMs it may not touch, not even whether they exist), the host once routing has named it,
 * and both before anything is sent to a host.
 */
@Singleton
public class CallerScope {

    private static final Logger LOG = Logger.getLogger(CallerScope.class);

    private final AuthSettings settings;

    @Inject
    public CallerScope(AuthStartupCheck startup) {
        this(startup.settings());
    }

    CallerScope(AuthSettings settings) {
        this.settings = settings;
    }

    /** Before routing: may {@code caller} act on {@code vm} at all? Throws 403 {@code unauthorized} if not. */
    public void checkVm(CallerIdentity caller, String vm) {
        if (scoped()) {
            allowedVm(caller, vm);
        }
    }

    /** After routing: may {@code caller} act on {@code vm} through host {@code host}? Throws 403 if not. */
    public void checkHost(CallerIdentity caller, String vm, String host) {
        if (!scoped()) {
            return;
        }
        ScopeRule rule = allowedVm(caller, vm);
        if (!rule.allowsHost(host)) {
            LOG.infof("Denied caller %s on vm %s: its host %s is outside the hosts of %s", caller.subject(), vm,
                    host, rule.name());
            throw AuthMessages.outOfScope(caller.subject(), vm);
        }
    }

    /**
     * The rule that decides for {@code caller}: the first one that applies to it. Never one for a caller
     * that was not authenticated (fail closed: with rules in force, only a verified subject can be in scope).
     */
    public Optional<ScopeRule> ruleFor(CallerIdentity caller) {
        if (!caller.authenticated()) {
            return Optional.empty();
        }
        List<ScopeRule> rules = settings.rules();
        return rules.stream().filter(r -> r.appliesTo(caller)).findFirst();
    }

    private ScopeRule allowedVm(CallerIdentity caller, String vm) {
        Optional<ScopeRule> rule = ruleFor(caller);
        if (rule.isEmpty()) {
            LOG.infof("Denied caller %s on vm %s: no gateway.auth.rules entry applies to it", caller.subject(), vm);
            throw AuthMessages.outOfScope(caller.subject(), vm);
        }
        if (!rule.get().allowsVm(vm)) {
            LOG.infof("Denied caller %s on vm %s: outside the VMs of %s", caller.subject(), vm, rule.get().name());
            throw AuthMessages.outOfScope(caller.subject(), vm);
        }
        return rule.get();
    }

    /** Scoping is in force only when callers are authenticated and rules are configured. */
    private boolean scoped() {
        return settings.enforced() && !settings.rules().isEmpty();
    }
}
