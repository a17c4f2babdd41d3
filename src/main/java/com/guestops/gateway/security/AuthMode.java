package com.guestops.gateway.security;

/** How the gateway treats callers, decided once at startup by {@link AuthStartupCheck}. */
public enum AuthMode {
    /** Every terminate request needs a valid bearer JWT with the required role (and, with rules, in scope). */
    ENFORCED,
    /**
     * Authentication is enabled but no verification key is configured and only the embedded demo simulator
     * serves (nothing real can be terminated): callers are not checked, and a WARN says so at startup.
     */
    RELAXED_DEMO,
    /** {@code gateway.auth.enabled=false}: callers are not checked (a WARN says so at startup). */
    DISABLED
}
