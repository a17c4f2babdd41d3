package com.guestops.gateway.security;

import java.util.List;

/**
 * The caller checks in force, decided once at startup by {@link AuthStartupCheck}.
 *
 * @param mode                 whether callers are checked at all
 * @param requiredRole         the group a caller's token must list
 * @param rules                scoping rules in order; empty: no scoping
 * @param blockingVerification verify tokens on a worker thread (the key is fetched over HTTP), not on the event loop
 */
public record AuthSettings(AuthMode mode, String requiredRole, List<ScopeRule> rules, boolean blockingVerification) {

    public AuthSettings {
        rules = List.copyOf(rules);
    }

    public boolean enforced() {
        return mode == AuthMode.ENFORCED;
    }
}
