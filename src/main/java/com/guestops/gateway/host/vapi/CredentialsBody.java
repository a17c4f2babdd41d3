package com.guestops.gateway.host.vapi;

import com.guestops.gateway.host.GuestCredentials;
import java.nio.charset.StandardCharsets;

/**
 * The body of a guest-process call: the caller's guest credentials in the vAPI shape
 * ({@code {"credentials": {"interactive_session": ..., "type": ..., "user_name": ..., "password" | "saml_token": ...}}}),
 * as UTF-8 bytes.
 *
 * <p>Written by hand because it is written on every forwarded request and has a fixed shape: only the strings vary.
 * Jackson's generator wrote the same bytes, but creating one, and handing its buffers back to their pool (a volatile
 * write each), was 2.5-3 % of the event loops' samples under load (bench/HISTORY.md). The strings are escaped as that
 * generator escapes them by default (CredentialsBodyTest compares the two on random text): {@code "} and {@code \},
 * the control characters ({@code \b \t \n \f \r} short, the others as {@code \}{@code u00XX}), and every surrogate
 * as a {@code \}{@code uXXXX} escape, so a lone one reaches the host exactly as the caller's JSON named it;
 * everything else as UTF-8.
 */
final class CredentialsBody {

    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] INTERACTIVE = ascii("{\"credentials\":{\"interactive_session\":true");
    private static final byte[] NOT_INTERACTIVE = ascii("{\"credentials\":{\"interactive_session\":false");
    private static final byte[] PASSWORD_TYPE = ascii(",\"type\":\"USERNAME_PASSWORD\"");
    private static final byte[] SAML_TYPE = ascii(",\"type\":\"SAML_BEARER_TOKEN\"");
    private static final byte[] USER = ascii(",\"user_name\":\"");
    private static final byte[] PASSWORD = ascii("\",\"password\":\"");
    private static final byte[] TOKEN = ascii("\",\"saml_token\":\"");
    private static final byte[] SECRET_ONLY_PASSWORD = ascii(",\"password\":\"");
    private static final byte[] SECRET_ONLY_TOKEN = ascii(",\"saml_token\":\"");
    private static final byte[] END = ascii("\"}}");

    private CredentialsBody() {
    }

    static byte[] of(GuestCredentials credentials) {
        boolean saml = credentials instanceof GuestCredentials.SamlBearerToken;
        String user = credentials.userName().orElse(null);
        String secret = credentials.secret().reveal();
        byte[] start = credentials.interactiveSession() ? INTERACTIVE : NOT_INTERACTIVE;
        byte[] type = saml ? SAML_TYPE : PASSWORD_TYPE;
        byte[] secretName = user == null ? (saml ? SECRET_ONLY_TOKEN : SECRET_ONLY_PASSWORD) : (saml ? TOKEN : PASSWORD);
        int length = start.length + type.length + secretName.length + escapedLength(secret) + END.length
                + (user == null ? 0 : USER.length + escapedLength(user));
        byte[] out = new byte[length];
        int at = put(out, 0, start);
        at = put(out, at, type);
        if (user != null) {
            at = put(out, at, USER);
            at = escape(user, out, at);
        }
        at = put(out, at, secretName);
        at = escape(secret, out, at);
        put(out, at, END);
        return out;
    }

    private static int escapedLength(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += c >= 0x20 && c != '"' && c != '\\' ? 1 : shortEscape(c) != 0 ? 2 : 6;
            } else if (c < 0x800) {
                n += 2;
            } else {
                n += Character.isSurrogate(c) ? 6 : 3;
            }
        }
        return n;
    }

    private static int escape(String s, byte[] out, int at) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                if (c >= 0x20 && c != '"' && c != '\\') {
                    out[at++] = (byte) c;
                } else {
                    byte escape = shortEscape(c);
                    out[at++] = '\\';
                    if (escape != 0) {
                        out[at++] = escape;
                    } else {
                        at = unicodeEscape(c, out, at - 1);
                    }
                }
            } else if (c < 0x800) {
                out[at++] = (byte) (0xC0 | c >> 6);
                out[at++] = (byte) (0x80 | c & 0x3F);
            } else if (Character.isSurrogate(c)) {
                at = unicodeEscape(c, out, at);
            } else {
                out[at++] = (byte) (0xE0 | c >> 12);
                out[at++] = (byte) (0x80 | c >> 6 & 0x3F);
                out[at++] = (byte) (0x80 | c & 0x3F);
            }
        }
        return at;
    }

    /** The letter after the backslash for the characters JSON escapes short, 0 for those it escapes as {@code \}{@code uXXXX}. */
    private static byte shortEscape(char c) {
        return switch (c) {
            case '"' -> '"';
            case '\\' -> '\\';
            case '\b' -> 'b';
            case '\t' -> 't';
            case '\n' -> 'n';
            case '\f' -> 'f';
            case '\r' -> 'r';
            default -> 0;
        };
    }

    private static int unicodeEscape(char c, byte[] out, int at) {
        out[at++] = '\\';
        out[at++] = 'u';
        out[at++] = HEX[c >> 12];
        out[at++] = HEX[c >> 8 & 0xF];
        out[at++] = HEX[c >> 4 & 0xF];
        out[at++] = HEX[c & 0xF];
        return at;
    }

    private static int put(byte[] out, int at, byte[] bytes) {
        System.arraycopy(bytes, 0, out, at, bytes.length);
        return at + bytes.length;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
