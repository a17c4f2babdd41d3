package com.guestops.gateway.error;

import java.util.Locale;

/** Who decided an outcome: the gateway itself (validation, routing, resilience) or the host it called. */
public enum ErrorSource {
    GATEWAY,
    HOST;

    /** Made once: it is read for every request's metrics and audit line. */
    private final String tag = name().toLowerCase(Locale.ROOT);

    public String tag() {
        return tag;
    }
}
