package com.guestops.gateway.host;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * A secret value (guest password, SAML token, service-account password). Its {@link #toString()} never
 * shows the value, so it cannot leak through a log line, an exception message or a debugger view by
 * accident; the one way to read it is {@link #reveal()}, used only where it goes on the wire.
 */
public final class Secret {
    private final String value;

    private Secret(String value) {
        this.value = Objects.requireNonNull(value);
    }

    public static Secret of(String value) {
        return new Secret(value);
    }

    public String reveal() {
        return value;
    }

    /** Constant-time comparison, so a simulator check does not leak how much of a guess matched. */
    public boolean matches(String candidate) {
        return candidate != null && MessageDigest.isEqual(
                value.getBytes(StandardCharsets.UTF_8), candidate.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "****";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret other && matches(other.value);
    }

    @Override
    public int hashCode() {
        return 0; // secrets are not meant as keys; a constant hash reveals nothing
    }
}
