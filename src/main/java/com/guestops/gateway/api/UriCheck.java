package com.guestops.gateway.api;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Quarkus' own check of a request target ({@code new URI(target)} must parse; Quarkus answers an empty 400 otherwise),
 * made first by the {@link ConnectionGuard} so that the refusal is the gateway's, in vAPI shape. Both run on every
 * request, so the usual target, a path and query of plain characters, is recognised by one scan instead of building
 * a {@link URI} (which parsed it again: 1.7 % of the event loops' samples). Anything else is decided by
 * {@code new URI} itself, so the answer is always exactly Quarkus'.
 */
final class UriCheck {

    /** Quarkus' own switch for its check (development only); the guard follows it. */
    private static final boolean ENABLED = !Boolean.getBoolean("vertx.disableURIValidation");

    /**
     * Characters {@link URI} accepts anywhere in a path and in a query (RFC 2396: unreserved, and the reserved
     * characters a path segment may hold), without the ones that start a scheme ({@code :}), an escape ({@code %})
     * or a fragment ({@code #}).
     */
    private static final boolean[] PLAIN = new boolean[128];

    static {
        for (char c = 'a'; c <= 'z'; c++) {
            PLAIN[c] = true;
            PLAIN[Character.toUpperCase(c)] = true;
        }
        for (char c = '0'; c <= '9'; c++) {
            PLAIN[c] = true;
        }
        for (char c : "-_.!~*'()/?;@&=+$,".toCharArray()) {
            PLAIN[c] = true;
        }
    }

    private UriCheck() {
    }

    static boolean valid(String target) {
        if (!ENABLED) {
            return true;
        }
        if (plain(target)) {
            return true;
        }
        try {
            new URI(target);
            return true;
        } catch (URISyntaxException | NullPointerException e) {
            return false;
        }
    }

    /**
     * An absolute path ({@code /} then anything but a second {@code /}, which would start an authority) of plain
     * characters only: a relative reference with a path and maybe a query, which {@link URI} always accepts.
     */
    static boolean plain(String target) {
        int length = target == null ? 0 : target.length();
        if (length == 0 || target.charAt(0) != '/' || length > 1 && target.charAt(1) == '/') {
            return false;
        }
        for (int i = 1; i < length; i++) {
            char c = target.charAt(i);
            if (c >= 128 || !PLAIN[c]) {
                return false;
            }
        }
        return true;
    }
}
