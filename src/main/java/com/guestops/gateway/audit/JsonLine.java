package com.guestops.gateway.audit;

import io.netty.util.concurrent.FastThreadLocal;
import java.util.List;

/**
 * One JSON object written straight into a string: the audit line is built on the event loop for every request, so
 * this takes no map, no reflection and no serializer, only the escaping JSON requires (RFC 8259: quote, backslash
 * and control characters).
 *
 * <p>A line is written into its thread's builder, which the next line on that thread reuses: a new 512-character
 * builder per line was the largest single thing a forwarded request allocated in the gateway's own code (3 % of it,
 * bench/HISTORY.md). A line begun while another is still open on the same thread gets a builder of its own.
 */
final class JsonLine {

    private static final char[] HEX = "0123456789abcdef".toCharArray();
    /** A builder grown past this by an unusual line is not kept for the thread's next lines. */
    static final int MAX_KEPT_CAPACITY = 4 * 1024;
    /** The thread's free builder; empty while a line of that thread holds it. */
    private static final FastThreadLocal<StringBuilder> FREE = new FastThreadLocal<>();

    private final StringBuilder json;

    JsonLine() {
        StringBuilder free = FREE.get();
        if (free != null) {
            FREE.set(null);
            free.setLength(0);
            json = free;
        } else {
            json = new StringBuilder(512);
        }
        json.append('{');
    }

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

    /** Closes the object and returns it: the last call on a line, which hands the builder back to the thread. */
    String end() {
        String line = json.append('}').toString();
        if (json.capacity() <= MAX_KEPT_CAPACITY) {
            FREE.set(json);
        }
        return line;
    }

    /** Names are the audit line's own constants, none with a character JSON escapes: appended without a look. */
    private void name(String name) {
        if (json.length() > 1) {
            json.append(',');
        }
        json.append('"').append(name).append("\":");
    }

    /**
     * Most values need no escaping (ids, names, results): those are appended whole, one array copy, where going a
     * character at a time costs a bounds and capacity check each (measured: it was the audit line's largest cost).
     */
    private void string(String value) {
        json.append('"');
        int first = firstToEscape(value);
        if (first < 0) {
            json.append(value);
        } else {
            json.append(value, 0, first);
            for (int i = first; i < value.length(); i++) {
                escaped(value.charAt(i));
            }
        }
        json.append('"');
    }

    private static int firstToEscape(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\') {
                return i;
            }
        }
        return -1;
    }

    private void escaped(char c) {
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
}
