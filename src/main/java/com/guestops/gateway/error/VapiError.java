package com.guestops.gateway.error;

import java.util.List;
import java.util.Map;

/**
 * A vAPI error, independent of the wire flavour it will be rendered in.
 *
 * @param type     the standard error type (decides the HTTP status)
 * @param messages never null, may be empty
 * @param data      structured detail ({@code {"pid": 4242}}), or null when there is nothing to say
 * @param challenge for {@code unauthenticated} only: the authentication challenge the caller should answer
 *                  (the modern flavour's {@code challenge} field, as real vAPI sends), or null
 */
public record VapiError(ErrorType type, List<VapiMessage> messages, Map<String, Object> data, String challenge) {

    public VapiError {
        messages = messages == null ? List.of() : List.copyOf(messages);
        data = data == null || data.isEmpty() ? null : Map.copyOf(data);
    }

    public VapiError(ErrorType type, List<VapiMessage> messages, Map<String, Object> data) {
        this(type, messages, data, null);
    }

    public static VapiError of(ErrorType type, String messageId, String defaultMessage, String... args) {
        return new VapiError(type, List.of(VapiMessage.of(messageId, defaultMessage, args)), null);
    }

    public VapiError withData(Map<String, Object> newData) {
        return new VapiError(type, messages, newData, challenge);
    }

    public VapiError withChallenge(String newChallenge) {
        return new VapiError(type, messages, data, newChallenge);
    }
}
