package com.guestops.gateway.api;

import java.util.Locale;

/** The two wire flavours of the same operation. */
public enum Flavour {
    /** {@code /rest/...}: 200 on success, errors as {@code {"type": ..., "value": {...}}}. */
    REST,
    /** {@code /api/...}: 204 on success, errors as {@code {"error_type": ..., "messages": [...]}}. */
    API;

    private static final Flavour[] VALUES = values();

    /** {@code /rest}, {@code /api}. */
    private final String prefix = "/" + tag();

    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The flavour whose prefix a (normalized) request path is under, as a Vert.x route {@code /rest/*} or
     * {@code /api/*} would match it ({@code /api} itself too); null for any other path (or none).
     */
    public static Flavour under(String path) {
        if (path == null) {
            return null;
        }
        for (Flavour flavour : VALUES) {
            String prefix = flavour.prefix;
            if (path.startsWith(prefix) && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/')) {
                return flavour;
            }
        }
        return null;
    }

    /** The flavour a request path belongs to; anything not under {@code /rest/} answers in the modern shape. */
    public static Flavour ofPath(String path) {
        return under(path) == REST ? REST : API;
    }
}
