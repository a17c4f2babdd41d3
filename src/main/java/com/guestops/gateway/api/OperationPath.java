package com.guestops.gateway.api;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a raw request target says about the operation, for requests the gateway answers before any route read
 * them: which flavour's path it is on (if any), and the vm and pid as sent (undecoded; for the audit line only).
 *
 * @param flavour the flavour whose prefix ({@code /api/}, {@code /rest/}) the path starts with, or null
 * @param vm      the {vm} segment as sent, or null when the path is not the operation's
 * @param pid     the {pid} segment as sent, or null
 */
record OperationPath(Flavour flavour, String vm, String pid) {

    private static final Pattern OPERATION = Pattern.compile("/(?:api|rest)/vcenter/vm/([^/?#]*)/guest/processes/([^/?#]*)/?(?:[?#].*)?");
    private static final Pattern ABSOLUTE_FORM = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://[^/]*(/.*)?");

    static final OperationPath NONE = new OperationPath(null, null, null);

    /** @param target the request target as sent ({@code /api/...?action=delete}, or absolute-form), may be null */
    static OperationPath of(String target) {
        if (target == null) {
            return NONE;
        }
        Matcher absolute = ABSOLUTE_FORM.matcher(target);
        String path = absolute.matches() ? (absolute.group(1) == null ? "/" : absolute.group(1)) : target;
        Flavour flavour = path.startsWith("/api/") ? Flavour.API : path.startsWith("/rest/") ? Flavour.REST : null;
        if (flavour == null) {
            return NONE;
        }
        Matcher m = OPERATION.matcher(path);
        return m.matches() ? new OperationPath(flavour, m.group(1), m.group(2)) : new OperationPath(flavour, null, null);
    }

    /** The flavour whose shape the answer takes: the path's, or the modern one for a path outside both. */
    Flavour answerFlavour() {
        return flavour == null ? Flavour.API : flavour;
    }

    boolean onOperationPrefix() {
        return flavour != null;
    }
}
