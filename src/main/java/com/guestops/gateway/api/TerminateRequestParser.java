package com.guestops.gateway.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.guestops.gateway.error.ErrorSource;
import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.error.GatewayMessages;
import com.guestops.gateway.error.VapiError;
import com.guestops.gateway.error.VapiException;
import com.guestops.gateway.error.VapiMessage;
import com.guestops.gateway.host.GuestCredentials;
import com.guestops.gateway.host.Secret;
import com.guestops.gateway.security.CallerIdentity;
import com.guestops.gateway.terminate.Precondition;
import com.guestops.gateway.terminate.TerminateCommand;
import com.guestops.gateway.terminate.TerminateCommand.Action;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the raw pieces of an HTTP request (path parameters, {@code action} query values, content type,
 * body bytes) into a {@link TerminateCommand}, or fails with one {@code invalid_argument} error that
 * names every violation found.
 *
 * <p>The body is read token by token rather than bound to a class so that every field can be checked
 * and reported, wrong types included, instead of stopping at the first binding error. Parser error
 * texts are never echoed: they can quote input, and input can hold a password.
 */
public final class TerminateRequestParser {

    public static final int MAX_BODY_BYTES = 64 * 1024;

    static final Pattern VM_ID = Pattern.compile("[A-Za-z0-9._:-]{1,80}");
    /** a signed decimal; leading zeros are allowed here so that "01000" is reported as not canonical, not as garbage */
    private static final Pattern DECIMAL = Pattern.compile("[+-]?[0-9]{1,40}");
    static final Pattern CANONICAL_PID = Pattern.compile("[1-9][0-9]{0,18}");
    public static final String REQUEST_TIMEOUT_HEADER = "X-Request-Timeout";
    public static final String IF_MATCH_HEADER = "If-Match";
    /** RFC 9110 entity-tag: optional W/, then a quoted string of etagc (no DQUOTE, no controls, no space). */
    private static final Pattern ENTITY_TAG = Pattern.compile("(?:W/)?\"[\\x21\\x23-\\x7E\\x80-\\xFF]*\"");
    private static final Pattern TIMEOUT = Pattern.compile("([0-9]{1,9})(ms|s|m)?");
    private static final String USERNAME_PASSWORD = "USERNAME_PASSWORD";
    private static final String SAML_BEARER_TOKEN = "SAML_BEARER_TOKEN";

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .recyclerPool(ThreadJsonBuffers.POOL) // parsed on every request: the thread's own buffers
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(64)
                    .maxNumberLength(100)
                    .maxStringLength(MAX_BODY_BYTES)
                    .build())
            .build();

    private final List<VapiMessage> violations = new ArrayList<>();

    private TerminateRequestParser() {
    }

    /** A request without {@code If-Match}. */
    public static TerminateCommand parse(String vm, String pid, List<String> actions, String contentType,
            String requestTimeout, byte[] body) {
        return parse(vm, pid, actions, contentType, requestTimeout, null, body);
    }

    /**
     * @param actions     every value of the {@code action} and {@code ~action} query parameters
     * @param contentType the request's {@code Content-Type} header, or null
     * @param requestTimeout the {@value #REQUEST_TIMEOUT_HEADER} header, or null
     * @param ifMatch     the {@value #IF_MATCH_HEADER} header (every field line joined with commas), or null
     * @param body        the body bytes, possibly empty
     */
    public static TerminateCommand parse(String vm, String pid, List<String> actions, String contentType,
            String requestTimeout, String ifMatch, byte[] body) {
        return new TerminateRequestParser().run(vm, pid, actions, contentType, requestTimeout, ifMatch, body);
    }

    private TerminateCommand run(String vm, String pidText, List<String> actions, String contentType,
            String requestTimeout, String ifMatch, byte[] body) {
        Action action = checkAction(actions);
        checkVm(vm);
        long pid = parsePid(pidText);
        Optional<Duration> deadline = parseRequestTimeout(requestTimeout);
        Optional<Precondition> precondition = parseIfMatch(ifMatch, action);
        GuestCredentials credentials = parseBody(contentType, body);
        if (!violations.isEmpty()) {
            throw invalid(violations);
        }
        return new TerminateCommand(vm, pid, credentials, deadline, CallerIdentity.ANONYMOUS,
                action == null ? Action.DELETE : action, precondition);
    }

    /**
     * {@code If-Match} (RFC 9110 §13.1.1): {@code *}, or a comma-separated list of entity-tags, each quoted
     * ({@code "..."}, or weak {@code W/"..."}, which never matches). Only a delete can be conditional: a lookup
     * has nothing to make conditional.
     */
    private Optional<Precondition> parseIfMatch(String header, Action action) {
        if (header == null) {
            return Optional.empty();
        }
        if (action == Action.GET) {
            violation("if_match.not_allowed", IF_MATCH_HEADER,
                    "Header '" + IF_MATCH_HEADER + "' applies to action 'delete' only.");
            return Optional.empty();
        }
        String value = header.trim();
        if (value.equals("*")) {
            return Optional.of(Precondition.ANY);
        }
        List<String> tags = new ArrayList<>();
        boolean wellFormed = !value.isEmpty();
        for (String element : value.split(",", -1)) {
            String tag = element.trim();
            if (tag.isEmpty()) {
                continue; // RFC 9110 §5.6.1: empty list elements are ignored
            }
            if (!ENTITY_TAG.matcher(tag).matches()) {
                wellFormed = false;
                break;
            }
            tags.add(tag);
        }
        if (!wellFormed || tags.isEmpty()) {
            violation("if_match.invalid", IF_MATCH_HEADER, "Header '" + IF_MATCH_HEADER
                    + "' must be * or one or more quoted entity-tags as the lookup's ETag gave them, e.g. \"lx2k3-9f86d081884c7d65\".");
            return Optional.empty();
        }
        return Optional.of(Precondition.anyOf(tags));
    }

    /** {@code 5s}, {@code 500ms}, {@code 2m}, or a plain number of seconds. */
    private Optional<Duration> parseRequestTimeout(String header) {
        if (header == null) {
            return Optional.empty();
        }
        Matcher m = TIMEOUT.matcher(header.trim());
        if (m.matches()) {
            long amount = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            Duration d = switch (unit) {
                case "ms" -> Duration.ofMillis(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofSeconds(amount);
            };
            if (!d.isZero()) {
                return Optional.of(d);
            }
        }
        violation("request_timeout.invalid", REQUEST_TIMEOUT_HEADER,
                "Header '" + REQUEST_TIMEOUT_HEADER + "' must be a positive duration such as 5s, 500ms or 2m.");
        return Optional.empty();
    }

    /** A single-message {@code invalid_argument} for request problems found before the parser runs. */
    public static VapiException invalid(String rule, String defaultMessage, String field) {
        return invalid(List.of(VapiMessage.of(GatewayMessages.VALIDATION + rule, defaultMessage, field)));
    }

    private static VapiException invalid(List<VapiMessage> messages) {
        return new VapiException(new VapiError(ErrorType.INVALID_ARGUMENT, messages, null), ErrorSource.GATEWAY);
    }

    private void violation(String rule, String field, String defaultMessage) {
        violations.add(VapiMessage.of(GatewayMessages.VALIDATION + rule, defaultMessage, field));
    }

    private Action checkAction(List<String> actions) {
        if (actions.isEmpty()) {
            violation("action.required", "action", "Query parameter 'action' is required and must be 'delete' or 'get'.");
        } else if (actions.size() > 1 || !("delete".equals(actions.get(0)) || "get".equals(actions.get(0)))) {
            violation("action.invalid", "action", "Query parameter 'action' must be exactly 'delete' or 'get', given once.");
        } else {
            return "get".equals(actions.get(0)) ? Action.GET : Action.DELETE;
        }
        return null;
    }

    private void checkVm(String vm) {
        if (vm == null || !isVmId(vm)) {
            violation("vm.invalid", "vm",
                    "Path parameter 'vm' must be 1 to 80 characters of letters, digits, '.', '_', ':' or '-'.");
        }
    }

    /**
     * A pid has one spelling: {@code +1000} or {@code 01000} would be forwarded as 1000 while the caller, the
     * audit line and the metrics name what was sent, so signs and leading zeros are refused rather than
     * canonicalized. A value below 1 is invalid however it is written.
     */
    private long parsePid(String text) {
        if (text != null && isCanonicalPid(text)) {
            try {
                return Long.parseLong(text); // the usual case: at least 1, as written
            } catch (NumberFormatException outOfRange) {
                // 19 digits above Long.MAX_VALUE: refused below, like every other value out of range
            }
        }
        long pid = 0;
        if (text != null && DECIMAL.matcher(text).matches()) {
            try {
                pid = Long.parseLong(text);
            } catch (NumberFormatException outOfRange) {
                pid = 0;
            }
        }
        if (pid < 1) {
            violation("pid.invalid", "pid",
                    "Path parameter 'pid' must be a decimal integer from 1 to 9223372036854775807.");
        } else if (!CANONICAL_PID.matcher(text).matches()) {
            violation("pid.not_canonical", "pid",
                    "Path parameter 'pid' must be written without a sign or leading zeros, e.g. 1000.");
        }
        return pid;
    }

    /**
     * {@link #VM_ID} (the rule, as the OpenAPI document publishes it) checked without the regex engine: every request's
     * path is checked, and the two matchers took 1.3 % of a forwarded request's CPU (measured, bench/HISTORY.md).
     * {@code TerminateRequestParserPatternsTest} holds the two equal.
     */
    static boolean isVmId(String vm) {
        int length = vm.length();
        if (length < 1 || length > 80) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = vm.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == ':'
                    || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** {@link #CANONICAL_PID} without the regex engine, like {@link #isVmId}. */
    static boolean isCanonicalPid(String text) {
        int length = text.length();
        if (length < 1 || length > 19 || text.charAt(0) < '1' || text.charAt(0) > '9') {
            return false;
        }
        for (int i = 1; i < length; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private GuestCredentials parseBody(String contentType, byte[] body) {
        if (!isJson(contentType)) {
            violation("content_type.unsupported", "Content-Type",
                    "The request body must be sent with 'Content-Type: application/json'.");
            return null;
        }
        if (body == null || body.length == 0) {
            violation("body.required", "body", "A request body with 'credentials' is required.");
            return null;
        }
        if (body.length > MAX_BODY_BYTES) {
            violation("body.too_large", "body", "The request body must not be larger than 65536 bytes.");
            return null;
        }
        Body read;
        try {
            read = read(body);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            violation("body.malformed", "body", "The request body is not valid JSON" + where + ".");
            return null;
        } catch (IOException e) {
            violation("body.malformed", "body", "The request body could not be read as JSON.");
            return null;
        }
        if (read.root == null || read.root == JsonToken.VALUE_NULL) {
            violation("body.required", "body", "A request body with 'credentials' is required.");
            return null;
        }
        if (read.root != JsonToken.START_OBJECT) {
            violation("body.not_object", "body", "The request body must be a JSON object.");
            return null;
        }
        if (read.credentials == null || read.credentials == JsonToken.VALUE_NULL) {
            violation("credentials.required", "credentials", "Field 'credentials' is required.");
            return null;
        }
        if (read.credentials != JsonToken.START_OBJECT) {
            violation("credentials.not_object", "credentials", "Field 'credentials' must be an object.");
            return null;
        }
        return parseCredentials(read);
    }

    /**
     * What one pass over the body found: the first token of the document and of {@code credentials}, and the
     * credentials fields the checks look at. Everything else is only tokenized (so that it must still be
     * well-formed, free of duplicate names and within the limits), never kept.
     */
    private static final class Body {
        /** null when the body holds nothing but whitespace */
        JsonToken root;
        /** null when the root is not an object or has no {@code credentials} */
        JsonToken credentials;
        Value type = Value.ABSENT;
        Value userName = Value.ABSENT;
        Value password = Value.ABSENT;
        Value samlToken = Value.ABSENT;
        Value interactiveSession = Value.ABSENT;
    }

    /** A credentials field: the first token of its value (null when the field is absent) and, for a string, its text. */
    private record Value(JsonToken token, String text) {
        static final Value ABSENT = new Value(null, null);

        /** in the body and not JSON {@code null} */
        boolean present() {
            return token != null && token != JsonToken.VALUE_NULL;
        }

        boolean isString() {
            return token == JsonToken.VALUE_STRING;
        }

        boolean isBoolean() {
            return token == JsonToken.VALUE_TRUE || token == JsonToken.VALUE_FALSE;
        }
    }

    /**
     * Reads the body in one streaming pass. It used to be read into a JSON tree ({@code ObjectMapper.readTree}: a
     * node per value, a map per object), which a CPU profile under load put at about 5 % of the event loop's time
     * per request; the pass keeps only what the checks need. As with the tree, the whole document must be well-formed
     * before anything it says is checked, including what follows the root value: a trailing token is refused where
     * it starts, as {@code DeserializationFeature.FAIL_ON_TRAILING_TOKENS} did.
     */
    private static Body read(byte[] bytes) throws IOException {
        Body body = new Body();
        try (JsonParser p = JSON.createParser(bytes)) {
            body.root = p.nextToken();
            if (body.root == null) {
                return body;
            }
            if (body.root == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    JsonToken value = p.nextToken();
                    if (name.equals("credentials")) {
                        body.credentials = value;
                        if (value == JsonToken.START_OBJECT) {
                            readCredentials(p, body);
                            continue;
                        }
                    }
                    p.skipChildren();
                }
            } else {
                p.skipChildren();
            }
            if (p.nextToken() != null) {
                throw new JsonParseException(p, "Trailing token after the root value", p.currentTokenLocation());
            }
        }
        return body;
    }

    /** The members of the {@code credentials} object, up to and including its closing brace. */
    private static void readCredentials(JsonParser p, Body body) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken token = p.nextToken();
            switch (name) {
                case "type" -> body.type = value(p, token);
                case "user_name" -> body.userName = value(p, token);
                case "password" -> body.password = value(p, token);
                case "saml_token" -> body.samlToken = value(p, token);
                case "interactive_session" -> body.interactiveSession = value(p, token);
                default -> {
                    // not a credentials field: ignored
                }
            }
            p.skipChildren();
        }
    }

    private static Value value(JsonParser p, JsonToken token) throws IOException {
        return new Value(token, token == JsonToken.VALUE_STRING ? p.getText() : null);
    }

    private GuestCredentials parseCredentials(Body c) {
        String type = c.type.isString() ? c.type.text() : null;
        String user = text("user_name", c.userName);
        String password = text("password", c.password);
        String token = text("saml_token", c.samlToken);
        Boolean interactive = bool("interactive_session", c.interactiveSession);
        boolean typeKnown = false;
        if (!c.type.present()) {
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
            if (password == null && !hasWrongType(c.password)) {
                violation("credentials.password.required", "credentials.password",
                        "Field 'credentials.password' is required when 'credentials.type' is USERNAME_PASSWORD.");
            }
            if (c.samlToken.present()) {
                violation("credentials.saml_token.not_allowed", "credentials.saml_token",
                        "Field 'credentials.saml_token' must not be set when 'credentials.type' is USERNAME_PASSWORD.");
            }
        } else {
            if ((token == null || token.isEmpty()) && !hasWrongType(c.samlToken)) {
                violation("credentials.saml_token.required", "credentials.saml_token",
                        "Field 'credentials.saml_token' is required when 'credentials.type' is SAML_BEARER_TOKEN.");
            }
            if (c.password.present()) {
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

    private static boolean hasWrongType(Value v) {
        return v.present() && !v.isString();
    }

    /** The field's text; null when it is absent or JSON {@code null}, or (reported) when it is not a string. */
    private String text(String field, Value v) {
        if (!v.present()) {
            return null;
        }
        if (!v.isString()) {
            violation("credentials." + field + ".not_string", "credentials." + field,
                    "Field 'credentials." + field + "' must be a string.");
            return null;
        }
        return v.text();
    }

    /** The field's value; null when it is absent or JSON {@code null}, or (reported) when it is not a boolean. */
    private Boolean bool(String field, Value v) {
        if (!v.present()) {
            return null;
        }
        if (!v.isBoolean()) {
            violation("credentials." + field + ".not_boolean", "credentials." + field,
                    "Field 'credentials." + field + "' must be true or false.");
            return null;
        }
        return v.token() == JsonToken.VALUE_TRUE;
    }

    private static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        String mediaType = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return mediaType.equals("application/json");
    }
}
