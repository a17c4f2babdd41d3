package com.guestops.gateway.api;

import com.guestops.gateway.error.VapiError;
import io.vertx.core.json.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/** Renders a {@link VapiError} in the body shape of a flavour, as real vCenter does. */
public final class VapiErrorResponses {

    private VapiErrorResponses() {
    }

    public static OperationAnswer toAnswer(Flavour flavour, VapiError error, Map<String, String> headers) {
        return toAnswer(flavour, error, headers, error.type().httpStatus());
    }

    /** With an HTTP status other than the error type's (the HTTP layer's 408, 414, 431 for {@code invalid_argument}). */
    public static OperationAnswer toAnswer(Flavour flavour, VapiError error, Map<String, String> headers, int status) {
        return new OperationAnswer(status, headers, Json.encode(body(flavour, error)));
    }

    /**
     * Legacy: {@code {"type": "com.vmware.vapi.std.errors.not_found", "value": {"messages": [...], "data": {...}}}}.
     * Modern: {@code {"error_type": "NOT_FOUND", "messages": [...], "data": {...}}}, plus, for
     * {@code UNAUTHENTICATED}, vAPI's {@code "challenge"} field when the error carries one.
     */
    public static Map<String, Object> body(Flavour flavour, VapiError error) {
        Map<String, Object> content = new LinkedHashMap<>();
        if (flavour == Flavour.API) {
            content.put("error_type", error.type().name());
        }
        content.put("messages", error.messages());
        if (error.data() != null) {
            content.put("data", error.data());
        }
        if (flavour == Flavour.API) {
            if (error.challenge() != null) {
                content.put("challenge", error.challenge());
            }
            return content;
        }
        Map<String, Object> legacy = new LinkedHashMap<>();
        legacy.put("type", error.type().legacyTypeName());
        legacy.put("value", content);
        return legacy;
    }
}
