package com.guestops.gateway.host;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.guestops.gateway.error.VapiError;
import com.guestops.gateway.error.VapiMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What of a host's own error reaches the caller. A host's messages, arguments and data are relayed as
 * the host sent them, with three limits: the caller's own secrets (and the gateway's service-account
 * password) are replaced by {@value #REDACTED} wherever a host echoes them in text (default messages,
 * arguments, data; message ids are the host's identifiers, not text, and are kept); every string is cut at
 * {@value #MAX_TEXT} characters and every list and map at a few entries; and the whole error stays
 * under {@value #MAX_ERROR_BYTES} bytes as JSON, so the caller's answer (the error plus its small vAPI
 * wrapper) stays within 16 KiB, whatever the host sent.
 */
public final class RelayedErrors {

    static final String REDACTED = "****";
    static final int MAX_TEXT = 512;
    static final int MAX_MESSAGES = 4;
    static final int MAX_ARGS = 8;
    static final int MAX_ENTRIES = 16;
    static final int MAX_DEPTH = 3;
    /** The error's messages and data as JSON; the flavour's wrapper adds well under 1 KiB. */
    static final int MAX_ERROR_BYTES = 15 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private RelayedErrors() {
    }

    /** The host's error, redacted and bounded. {@code secrets} are the values never to relay (empty ones are ignored). */
    public static VapiError bound(VapiError error, Collection<String> secrets) {
        List<String> redact = secrets.stream().filter(s -> s != null && !s.isEmpty()).toList();
        List<VapiMessage> messages = new ArrayList<>();
        for (VapiMessage m : error.messages().subList(0, Math.min(MAX_MESSAGES, error.messages().size()))) {
            List<String> args = m.args().subList(0, Math.min(MAX_ARGS, m.args().size())).stream()
                    .map(a -> text(a, redact, MAX_TEXT)).toList();
            messages.add(new VapiMessage(text(m.id(), List.of(), MAX_TEXT), text(m.defaultMessage(), redact, MAX_TEXT), args));
        }
        Map<String, Object> data = error.data() == null ? null : map(error.data(), redact, 1);
        VapiError bounded = new VapiError(error.type(), messages, data, error.challenge());
        // still too large (many long strings): shed what matters least, step by step
        if (size(bounded) > MAX_ERROR_BYTES) {
            bounded = new VapiError(error.type(), messages, null, error.challenge());
        }
        if (size(bounded) > MAX_ERROR_BYTES && !messages.isEmpty()) {
            VapiMessage first = messages.get(0);
            bounded = new VapiError(error.type(), List.of(new VapiMessage(first.id(), text(first.defaultMessage(), redact, 256),
                    first.args().stream().map(a -> text(a, redact, 64)).toList())), null, error.challenge());
        }
        return bounded;
    }

    private static String text(String value, List<String> secrets, int max) {
        if (value == null) {
            return null;
        }
        String clean = value;
        for (String secret : secrets) {
            clean = clean.replace(secret, REDACTED);
        }
        return clean.length() > max ? clean.substring(0, max) + "…" : clean;
    }

    private static Map<String, Object> map(Map<?, ?> source, List<String> secrets, int depth) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : source.entrySet()) {
            if (out.size() == MAX_ENTRIES) {
                break;
            }
            Object value = value(e.getValue(), secrets, depth);
            if (value != null) { // VapiError keeps data immutable: no null values
                out.put(text(String.valueOf(e.getKey()), secrets, MAX_TEXT), value);
            }
        }
        return out;
    }

    private static Object value(Object value, List<String> secrets, int depth) {
        if (value instanceof Number || value instanceof Boolean) {
            return value;
        }
        if (value instanceof String s) {
            return text(s, secrets, MAX_TEXT);
        }
        if (depth >= MAX_DEPTH || value == null) {
            return null;
        }
        if (value instanceof Map<?, ?> m) {
            return map(m, secrets, depth + 1);
        }
        if (value instanceof Collection<?> c) {
            return c.stream().limit(MAX_ENTRIES).map(v -> value(v, secrets, depth + 1))
                    .filter(java.util.Objects::nonNull).toList();
        }
        return text(String.valueOf(value), secrets, MAX_TEXT);
    }

    static int size(VapiError error) {
        Map<String, Object> shape = new LinkedHashMap<>();
        shape.put("messages", error.messages());
        if (error.data() != null) {
            shape.put("data", error.data());
        }
        try {
            return JSON.writeValueAsString(shape).getBytes(StandardCharsets.UTF_8).length;
        } catch (JsonProcessingException e) {
            return Integer.MAX_VALUE;
        }
    }
}
