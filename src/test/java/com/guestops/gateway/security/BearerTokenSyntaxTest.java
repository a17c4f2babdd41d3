package com.guestops.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.guestops.gateway.error.VapiException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link BearerAuthenticator#bearerToken} reads the header by index; the rules are the ones it had when it trimmed and
 * split copies of the header, written out here as the reference: trim the header ({@code String.trim()}), the scheme
 * runs to the first {@code Character.isWhitespace} and must be {@code bearer} in any case, the rest trimmed is the
 * token, which must be non-empty and hold no whitespace. Both must give the same token, or the same refusal, for
 * every header.
 */
class BearerTokenSyntaxTest {

    /** Header pieces: schemes and near misses, every kind of whitespace and control character, token characters. */
    private static final String[] PIECES = {"", "Bearer", "bearer", "BEARER", "bEaReR", "Basic", "bearerx", "bear", " ",
        "  ", "\t", "\n", "\r", "\u000B", "\f", "\u001C", "\u001F", "\u0001", "\u0000", "\u007F", "\u00A0", "\u0085",
        "\u2003", "\u3000", "\u2028", "eyJhbGciOiJSUzI1NiJ9", ".", "abc-DEF_123", "=", "é", "İ", "\u212A"};

    /** The rules as they were written before, on copies of the header. */
    private static String reference(String header) {
        String value = header == null ? "" : header.trim();
        int space = indexOfWhitespace(value);
        String scheme = space < 0 ? value : value.substring(0, space);
        if (!scheme.toLowerCase(Locale.ROOT).equals("bearer")) {
            return "refused: missing";
        }
        String token = space < 0 ? "" : value.substring(space + 1).trim();
        if (token.isEmpty() || indexOfWhitespace(token) >= 0) {
            return "refused: malformed";
        }
        return token;
    }

    private static int indexOfWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private static String ours(String header) {
        try {
            return BearerAuthenticator.bearerToken(java.util.Collections.singletonList(header));
        } catch (VapiException refused) {
            String id = refused.error().messages().get(0).id();
            return id.endsWith("token_missing") ? "refused: missing"
                    : id.endsWith("token_invalid") ? "refused: malformed" : "refused: " + id;
        }
    }

    @Test
    void readsEveryHeaderAsTheTrimAndSplitRulesDo() {
        List<String> headers = new ArrayList<>();
        headers.add(null);
        headers.add("Bearer " + "eyJ".repeat(300) + "." + "x".repeat(400));
        for (String a : PIECES) {
            for (String b : PIECES) {
                for (String c : PIECES) {
                    headers.add(a + b + c);
                }
            }
        }
        Random random = new Random(11);
        for (int i = 0; i < 200_000; i++) {
            StringBuilder header = new StringBuilder();
            for (int n = random.nextInt(7); n > 0; n--) {
                header.append(PIECES[random.nextInt(PIECES.length)]);
            }
            headers.add(header.toString());
        }
        int tokens = 0;
        for (String header : headers) {
            String expected = reference(header);
            assertThat(ours(header)).as("Authorization: [%s]", header).isEqualTo(expected);
            if (!expected.startsWith("refused")) {
                tokens++;
            }
        }
        assertThat(tokens).as("headers that carried a token").isGreaterThan(1_000);
        assertThat(headers.size() - tokens).as("headers refused").isGreaterThan(1_000);
    }
}
