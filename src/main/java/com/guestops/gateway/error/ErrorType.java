package com.guestops.gateway.error;

import java.util.Locale;

/**
 * The vAPI standard error types this operation can answer with, and the HTTP status each maps to
 * (the status table of the "vcenter vm guest processes: delete" specification).
 */
public enum ErrorType {
    INVALID_ARGUMENT(400),
    NOT_ALLOWED_IN_CURRENT_STATE(400),
    UNSUPPORTED(400),
    UNAUTHENTICATED(401),
    UNAUTHORIZED(403),
    NOT_FOUND(404),
    /**
     * A conditional delete whose {@code If-Match} no longer names the process holding the pid: nothing was
     * killed. 409 as VMware's vAPI REST runtime maps {@code com.vmware.vapi.std.errors.concurrent_change}
     * (docs/api.md, "Safe kill").
     */
    CONCURRENT_CHANGE(409),
    /** Not an outcome of the operation: the request named no operation we serve (unknown path or method). */
    OPERATION_NOT_FOUND(404),
    RESOURCE_BUSY(500),
    ERROR(500),
    SERVICE_UNAVAILABLE(503);

    private final int httpStatus;
    private final String wireName;

    ErrorType(int httpStatus) {
        this.httpStatus = httpStatus;
        this.wireName = name().toLowerCase(Locale.ROOT);
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** Lower-case vAPI name, e.g. {@code not_found}; also the metrics outcome tag. */
    public String wireName() {
        return wireName;
    }

    /** The legacy {@code /rest} flavour's fully qualified type, e.g. {@code com.vmware.vapi.std.errors.not_found}. */
    public String legacyTypeName() {
        return "com.vmware.vapi.std.errors." + wireName;
    }

    /** Strict lookup by lower-case vAPI name ({@code not_found}); unknown names are refused. */
    public static ErrorType fromWireName(String wireName) {
        for (ErrorType t : values()) {
            if (t.wireName.equals(wireName)) {
                return t;
            }
        }
        throw new IllegalArgumentException("Unknown vAPI error type '" + wireName + "'");
    }

    /** Parses a vAPI error type in either spelling ({@code NOT_FOUND}, {@code not_found}, {@code com.vmware.vapi.std.errors.not_found}). */
    public static ErrorType fromVapiName(String name) {
        if (name == null) {
            return ERROR;
        }
        String simple = name.substring(name.lastIndexOf('.') + 1).toUpperCase(Locale.ROOT);
        for (ErrorType t : values()) {
            if (t.name().equals(simple)) {
                return t;
            }
        }
        return ERROR;
    }
}
