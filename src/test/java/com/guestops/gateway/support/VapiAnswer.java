package com.guestops.gateway.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.guestops.gateway.api.Flavour;
import com.guestops.gateway.error.ErrorType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.util.List;
import java.util.Map;

/**
 * A response to a terminate call, read in its flavour's error shape so tests can assert the same
 * things for both flavours.
 */
public record VapiAnswer(Flavour flavour, Response response) {

    public int status() {
        return response.statusCode();
    }

    public String body() {
        return response.asString();
    }

    public String header(String name) {
        return response.header(name);
    }

    /** The error type in its flavour's spelling, checked, and returned as the enum. */
    public ErrorType errorType() {
        JsonPath json = response.jsonPath();
        if (flavour == Flavour.API) {
            String type = json.getString("error_type");
            assertThat(type).as("modern error_type is upper case").isEqualTo(type.toUpperCase());
            return ErrorType.valueOf(type);
        }
        String type = json.getString("type");
        assertThat(type).startsWith("com.vmware.vapi.std.errors.");
        return ErrorType.valueOf(type.substring("com.vmware.vapi.std.errors.".length()).toUpperCase());
    }

    private String content() {
        return flavour == Flavour.API ? "" : "value.";
    }

    public List<Map<String, Object>> messages() {
        List<Map<String, Object>> messages = response.jsonPath().getList(content() + "messages");
        assertThat(messages).as("messages is always present").isNotNull();
        return messages;
    }

    public List<String> messageIds() {
        return messages().stream().map(m -> (String) m.get("id")).toList();
    }

    public List<String> defaultMessages() {
        return messages().stream().map(m -> (String) m.get("default_message")).toList();
    }

    public Map<String, Object> data() {
        return response.jsonPath().getMap(content() + "data");
    }

    /** Asserts status, shape and type of an error answer. */
    public VapiAnswer assertError(int status, ErrorType type) {
        assertThat(status()).as("HTTP status of %s", body()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/json");
        assertThat(errorType()).isEqualTo(type);
        for (Map<String, Object> m : messages()) {
            assertThat(m).containsKeys("id", "default_message", "args");
        }
        return this;
    }

    public VapiAnswer assertSuccess() {
        int expected = flavour == Flavour.REST ? 200 : 204;
        assertThat(status()).as("status of %s", body()).isEqualTo(expected);
        assertThat(body()).isEmpty();
        return this;
    }

    /** The looked-up process of an {@code action=get} answer (VMware's {@code Processes.Info}; {@code /rest}: inside {@code value}). */
    public Map<String, Object> info() {
        return response.jsonPath().getMap(flavour == Flavour.REST ? "value" : "$");
    }

    /** Asserts a successful lookup (200, JSON, an ETag) and returns its ETag. */
    public String assertFound() {
        assertThat(status()).as("status of %s", body()).isEqualTo(200);
        assertThat(response.contentType()).startsWith("application/json");
        String etag = header("ETag");
        assertThat(etag).as("ETag").matches("\"[0-9a-z]+-[0-9a-f]{16}\"");
        return etag;
    }
}
