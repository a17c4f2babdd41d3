package com.guestops.gateway.api;

import java.util.Locale;

/** The two wire flavours of the same operation. */
public enum Flavour {
    /** {@code /rest/...}: 200 on success, errors as {@code {"type": ..., "value": {...}}}. */
    REST,
    /** {@code /api/...}: 204 on success, errors as {@code {"error_type": ..., "messages": [...]}}. */
    API;

    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The flavour a request path belongs to; anything not under {@code /rest/} answers in the modern shape. */
    public static Flavour ofPath(String path) {
        return path != null && (path.equals("/rest") || path.startsWith("/rest/")) ? REST : API;
    }
}
