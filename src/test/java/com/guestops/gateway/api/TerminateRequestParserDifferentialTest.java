package com.guestops.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.guestops.gateway.error.GatewayMessages;
import com.guestops.gateway.error.VapiMessage;
import com.guestops.gateway.host.GuestCredentials;
import com.guestops.gateway.host.Secret;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * {@link TerminateRequestParser} reads the body in one streaming pass; it answers every body exactly as the
 * JSON-tree reading it replaced, kept here ({@link TreeOracle}) as the reference: random bodies, and valid ones
 * mutated byte by byte, get the same violations (ids, fields, texts, order) or the same credentials from both.
 */
class TerminateRequestParserDifferentialTest {

    private static final String[] FIELDS = {"type", "user_name", "password", "saml_token", "interactive_session"};
    private static final String[] STRINGS = {"", "USERNAME_PASSWORD", "SAML_BEARER_TOKEN", "root", "x\\\"y", "\\u00e9", "KERBEROS",
        "true", "null", "\u00fc\u4e2d"};
    private static final Charset[] ENCODINGS = {StandardCharsets.UTF_16BE, StandardCharsets.UTF_16LE,
        Charset.forName("UTF-32BE"), Charset.forName("UTF-32LE")};
    /** what a mutation inserts: the characters that make JSON's structure, and some that break it */
    private static final String INSERTS = "{}[]:,\"\" \n\\a01-.eEtnulf'/\u00e9\t";

    @Test
    void answersAsTheTreeReadingDidOnRandomBodies() {
        Random random = new Random(20_240_611);
        Map<String, Integer> seen = new TreeMap<>();
        for (int n = 0; n < 20_000; n++) {
            // now and then another encoding the parser detects, where a mutation breaks characters rather than JSON
            Charset charset = n % 25 == 0 ? ENCODINGS[random.nextInt(ENCODINGS.length)] : StandardCharsets.UTF_8;
            byte[] body = randomBody(random).getBytes(charset);
            int mutations = n % 3 == 0 ? 0 : random.nextInt(4);
            for (int m = 0; m < mutations; m++) {
                body = mutate(random, body);
            }
            List<String> expected = TreeOracle.outcome(body);
            assertThat(TerminateRequestParserBodyTest.outcome(body))
                    .as("body %s", new String(body, StandardCharsets.UTF_8))
                    .containsExactlyElementsOf(expected);
            for (String line : expected) {
                seen.merge(line.replaceAll(" \\[.*", "").replaceAll(" user=.*", "").replaceAll("column [0-9]+", "column C"), 1, Integer::sum);
            }
        }
        // the bodies reach every answer, so the agreement above means something
        assertThat(seen.keySet()).contains("USERNAME_PASSWORD", "SAML_BEARER_TOKEN", "body.malformed", "body.not_object",
                "body.required", "credentials.required", "credentials.not_object", "credentials.type.required",
                "credentials.type.invalid", "credentials.password.required", "credentials.saml_token.required",
                "credentials.saml_token.not_allowed", "credentials.password.not_allowed",
                "credentials.interactive_session.not_allowed", "credentials.user_name.not_string",
                "credentials.password.not_string", "credentials.saml_token.not_string",
                "credentials.interactive_session.not_boolean");
        assertThat(seen).allSatisfy((answer, count) -> assertThat(count).as(answer).isGreaterThan(20));
    }

    @Test
    void answersAsTheTreeReadingDidOnEveryPinnedBodyMutated() {
        Random random = new Random(7);
        TerminateRequestParserBodyTest.bodies().forEach(arguments -> {
            byte[] pinned = (byte[]) arguments.get()[1];
            assertThat(TerminateRequestParserBodyTest.outcome(pinned)).as((String) arguments.get()[0])
                    .containsExactlyElementsOf(TreeOracle.outcome(pinned));
            for (int n = 0; n < 60; n++) {
                byte[] body = pinned;
                for (int m = 1 + random.nextInt(3); m > 0; m--) {
                    body = mutate(random, body);
                }
                assertThat(TerminateRequestParserBodyTest.outcome(body))
                        .as("%s mutated: %s", arguments.get()[0], new String(body, StandardCharsets.UTF_8))
                        .containsExactlyElementsOf(TreeOracle.outcome(body));
            }
        });
    }

    private static String randomBody(Random random) {
        StringBuilder s = new StringBuilder();
        int shape = random.nextInt(20);
        if (shape == 0) {
            return randomValue(random, 0, 3);
        }
        if (shape == 1) {
            return "[".repeat(60 + random.nextInt(8)) + "]".repeat(60 + random.nextInt(8));
        }
        s.append('{');
        List<String> members = new ArrayList<>();
        for (int i = random.nextInt(3); i > 0; i--) {
            members.add(name(random, "unknown" + random.nextInt(3)) + ":" + randomValue(random, 1, 3));
        }
        if (random.nextInt(10) != 0) {
            String credentials;
            int kind = random.nextInt(12);
            if (kind == 0) {
                credentials = randomValue(random, 1, 2);
            } else if (kind == 1) {
                credentials = "null";
            } else {
                List<String> fields = new ArrayList<>();
                for (String field : FIELDS) {
                    if (random.nextInt(4) != 0) {
                        fields.add(name(random, field) + ":" + fieldValue(random, field));
                    }
                }
                for (int i = random.nextInt(3); i > 0; i--) {
                    fields.add(random.nextInt(fields.size() + 1), name(random, "x" + random.nextInt(3)) + ":" + randomValue(random, 2, 3));
                }
                credentials = "{" + String.join(random.nextBoolean() ? "," : " ,\n ", fields) + "}";
            }
            members.add(random.nextInt(members.size() + 1), name(random, "credentials") + ":" + credentials);
        }
        s.append(String.join(",", members)).append('}');
        if (random.nextInt(30) == 0) {
            s.append(random.nextBoolean() ? " " : "\n").append(randomValue(random, 0, 1));
        }
        return random.nextInt(10) == 0 ? "  " + s + "\n" : s.toString();
    }

    private static String name(Random random, String name) {
        return random.nextInt(30) == 0 ? "\"" + name.charAt(0) + "\\u00" + Integer.toHexString(name.charAt(1)) + name.substring(2) + "\""
                : "\"" + name + "\"";
    }

    private static String fieldValue(Random random, String field) {
        int r = random.nextInt(10);
        if (r < 5) {
            return switch (field) {
                case "type" -> random.nextBoolean() ? "\"USERNAME_PASSWORD\"" : "\"SAML_BEARER_TOKEN\"";
                case "interactive_session" -> random.nextBoolean() ? "true" : "false";
                default -> "\"" + STRINGS[random.nextInt(STRINGS.length)] + "\"";
            };
        }
        if (r < 7) {
            return "null";
        }
        return randomValue(random, 2, 3);
    }

    private static String randomValue(Random random, int depth, int maxDepth) {
        int r = random.nextInt(depth >= maxDepth ? 7 : 9);
        switch (r) {
            case 0:
                return "null";
            case 1:
                return random.nextBoolean() ? "true" : "false";
            case 2:
                return "\"" + STRINGS[random.nextInt(STRINGS.length)] + "\"";
            case 3:
                return Integer.toString(random.nextInt(2000) - 1000);
            case 4:
                return random.nextBoolean() ? "1.5e3" : "-0.25";
            case 5: {
                int digits = 95 + random.nextInt(10);
                return (random.nextBoolean() ? "-" : "") + "7".repeat(digits) + (random.nextInt(4) == 0 ? ".5" : "");
            }
            case 6:
                return random.nextBoolean() ? "\"\"" : "[]";
            case 7: {
                List<String> items = new ArrayList<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    items.add(randomValue(random, depth + 1, maxDepth));
                }
                return "[" + String.join(",", items) + "]";
            }
            default: {
                List<String> members = new ArrayList<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    members.add("\"" + (random.nextBoolean() ? FIELDS[random.nextInt(FIELDS.length)] : "k" + random.nextInt(3))
                            + "\":" + randomValue(random, depth + 1, maxDepth));
                }
                return "{" + String.join(",", members) + "}";
            }
        }
    }

    private static byte[] mutate(Random random, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = body.length == 0 ? 0 : random.nextInt(body.length + 1);
        int r = random.nextInt(10);
        if (r < 3 && body.length > 0) { // delete one byte or a few
            int end = Math.min(body.length, at + 1 + (r == 0 ? random.nextInt(6) : 0));
            out.write(body, 0, Math.min(at, body.length));
            if (end > at) {
                out.write(body, end, body.length - end);
            }
            return out.toByteArray();
        }
        out.write(body, 0, at);
        if (r < 7) { // insert a character that makes or breaks JSON
            out.writeBytes(String.valueOf(INSERTS.charAt(random.nextInt(INSERTS.length()))).getBytes(StandardCharsets.UTF_8));
        } else if (r < 8) { // insert any byte at all
            out.write(random.nextInt(256));
        } else if (body.length > 0) { // repeat a stretch of the body: duplicate keys, trailing values, deeper nesting
            int from = random.nextInt(body.length);
            int length = 1 + random.nextInt(Math.min(40, body.length - from));
            out.write(body, from, length);
        }
        out.write(body, at, body.length - at);
        return out.toByteArray();
    }

    /** The body checks as they were when the body was read into a JSON tree (ObjectMapper.readTree), unchanged. */
    static final class TreeOracle {

        private static final String USERNAME_PASSWORD = "USERNAME_PASSWORD";
        private static final String SAML_BEARER_TOKEN = "SAML_BEARER_TOKEN";
        private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(64)
                        .maxNumberLength(100)
                        .maxStringLength(TerminateRequestParser.MAX_BODY_BYTES)
                        .build())
                .build())
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

        private final List<VapiMessage> violations = new ArrayList<>();

        static List<String> outcome(byte[] body) {
            TreeOracle oracle = new TreeOracle();
            GuestCredentials credentials = oracle.parseBody(body);
            if (!oracle.violations.isEmpty()) {
                List<String> lines = new ArrayList<>();
                lines.add("invalid_argument");
                oracle.violations.forEach(m -> lines.add(TerminateRequestParserBodyTest.describe(m)));
                return lines;
            }
            return List.of(TerminateRequestParserBodyTest.describe(credentials));
        }

        private void violation(String rule, String field, String defaultMessage) {
            violations.add(VapiMessage.of(GatewayMessages.VALIDATION + rule, defaultMessage, field));
        }

        private GuestCredentials parseBody(byte[] body) {
            if (body == null || body.length == 0) {
                violation("body.required", "body", "A request body with 'credentials' is required.");
                return null;
            }
            if (body.length > TerminateRequestParser.MAX_BODY_BYTES) {
                violation("body.too_large", "body", "The request body must not be larger than 65536 bytes.");
                return null;
            }
            JsonNode root;
            try {
                root = JSON.readTree(body);
            } catch (JsonProcessingException e) {
                JsonLocation at = e.getLocation();
                String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
                violation("body.malformed", "body", "The request body is not valid JSON" + where + ".");
                return null;
            } catch (IOException e) {
                violation("body.malformed", "body", "The request body could not be read as JSON.");
                return null;
            }
            if (root == null || root.isNull() || root.isMissingNode()) {
                violation("body.required", "body", "A request body with 'credentials' is required.");
                return null;
            }
            if (!root.isObject()) {
                violation("body.not_object", "body", "The request body must be a JSON object.");
                return null;
            }
            JsonNode c = root.get("credentials");
            if (c == null || c.isNull()) {
                violation("credentials.required", "credentials", "Field 'credentials' is required.");
                return null;
            }
            if (!c.isObject()) {
                violation("credentials.not_object", "credentials", "Field 'credentials' must be an object.");
                return null;
            }
            return parseCredentials(c);
        }

        private GuestCredentials parseCredentials(JsonNode c) {
            JsonNode typeNode = c.get("type");
            String type = typeNode != null && typeNode.isTextual() ? typeNode.textValue() : null;
            String user = text(c, "user_name");
            String password = text(c, "password");
            String token = text(c, "saml_token");
            Boolean interactive = bool(c, "interactive_session");
            boolean typeKnown = false;
            if (!present(c, "type")) {
                violation("credentials.type.required", "credentials.type", "Field 'credentials.type' is required.");
            } else if (!USERNAME_PASSWORD.equals(type) && !SAML_BEARER_TOKEN.equals(type)) {
                violation("credentials.type.invalid", "credentials.type",
                        "Field 'credentials.type' must be USERNAME_PASSWORD or SAML_BEARER_TOKEN.");
            } else {
                typeKnown = true;
            }
            if (!typeKnown) {
                return null;
            }
            if (USERNAME_PASSWORD.equals(type)) {
                if (password == null && !hasWrongType(c, "password")) {
                    violation("credentials.password.required", "credentials.password",
                            "Field 'credentials.password' is required when 'credentials.type' is USERNAME_PASSWORD.");
                }
                if (present(c, "saml_token")) {
                    violation("credentials.saml_token.not_allowed", "credentials.saml_token",
                            "Field 'credentials.saml_token' must not be set when 'credentials.type' is USERNAME_PASSWORD.");
                }
            } else {
                if ((token == null || token.isEmpty()) && !hasWrongType(c, "saml_token")) {
                    violation("credentials.saml_token.required", "credentials.saml_token",
                            "Field 'credentials.saml_token' is required when 'credentials.type' is SAML_BEARER_TOKEN.");
                }
                if (present(c, "password")) {
                    violation("credentials.password.not_allowed", "credentials.password",
                            "Field 'credentials.password' must not be set when 'credentials.type' is SAML_BEARER_TOKEN.");
                }
                if (Boolean.TRUE.equals(interactive)) {
                    violation("credentials.interactive_session.not_allowed", "credentials.interactive_session",
                            "Field 'credentials.interactive_session' may be true only when 'credentials.type' is USERNAME_PASSWORD.");
                }
            }
            if (!violations.isEmpty()) {
                return null;
            }
            return USERNAME_PASSWORD.equals(type)
                    ? new GuestCredentials.UsernamePassword(user, Secret.of(password), Boolean.TRUE.equals(interactive))
                    : new GuestCredentials.SamlBearerToken(user, Secret.of(token));
        }

        private static boolean present(JsonNode node, String field) {
            JsonNode v = node.get(field);
            return v != null && !v.isNull();
        }

        private static boolean hasWrongType(JsonNode node, String field) {
            return present(node, field) && !node.get(field).isTextual();
        }

        private String text(JsonNode node, String field) {
            JsonNode v = node.get(field);
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.isTextual()) {
                violation("credentials." + field + ".not_string", "credentials." + field,
                        "Field 'credentials." + field + "' must be a string.");
                return null;
            }
            return v.textValue();
        }

        private Boolean bool(JsonNode node, String field) {
            JsonNode v = node.get(field);
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.isBoolean()) {
                violation("credentials." + field + ".not_boolean", "credentials." + field,
                        "Field 'credentials." + field + "' must be true or false.");
                return null;
            }
            return v.booleanValue();
        }
    }
}
