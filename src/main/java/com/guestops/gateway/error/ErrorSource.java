package com.guestops.gateway.error;

import java.util.Locale;

/** Who decided an outcome: the gateway itself (validation, routing, resilience) or the host it called. */
public enum ErrorSource {
    GATEWAY,
    HOST;

    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
