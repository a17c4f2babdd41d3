package com.guestops.gateway.error;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** A vAPI {@code LocalizableMessage}: a stable id, an English default text and its arguments. */
public record VapiMessage(
        @JsonProperty("id") String id,
        @JsonProperty("default_message") String defaultMessage,
        @JsonProperty("args") List<String> args) {

    public VapiMessage {
        args = args == null ? List.of() : List.copyOf(args);
    }

    public static VapiMessage of(String id, String defaultMessage, String... args) {
        return new VapiMessage(id, defaultMessage, List.of(args));
    }
}
