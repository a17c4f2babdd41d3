package com.guestops.gateway.audit;

import java.util.List;

/**
 * One JSON object written straight into a string: the audit line is built on the event loop for every request, so
 * this takes no map, no reflection and no serializer, only the escaping JSON requires (RFC 8259: quote, backslash
 * and control characters).
 */
final class JsonLine {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final StringBuilder json = new StringBuilder(320).append('{');

    JsonLine field(String name, String value) {
        name(name);
        if (value == null) {
            json.append("null");
        } else {
            string(value);
        }
        return this;
    }

    JsonLine field(String name, List<String> values) {
        name(name);
        json.append('[');
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                json.append(',');
            }
            string(values.get(i));
        }
        json.append(']');
        return this;
    }

    JsonLine field(String name, long value) {
        name(name);
        json.append(value);
        return this;
    }

    /** A number that may be absent: {@code null} then. */
    JsonLine field(String name, Long value) {
        name(name);
        json.append(value == null ? "null" : value.toString());
        return this;
    }

    @Override
    public String toString() {
        return json + "}";
    }

    private void name(String name) {
        if (json.length() > 1) {
            json.append(',');
        }
        string(name);
        json.append(':');
    }

    private void string(String value) {
        json.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20) {
                        json.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }
}
