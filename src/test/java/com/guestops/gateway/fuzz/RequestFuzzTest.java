package com.guestops.gateway.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.guestops.gateway.support.ContractValidation;
import com.guestops.gateway.support.ControllableSimulator;
import com.guestops.gateway.support.Simulators;
import com.guestops.gateway.support.TestTokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Property-based fuzzing of the HTTP surface, bounded to a few seconds: random and mutated paths,
 * pids, VM ids, query strings, headers and JSON bodies (deep nesting, huge numbers, wrong types,
 * unicode, duplicate keys, broken syntax). Generators are small seeded {@link Gen}s driven from a
 * logged seed inside the shared Quarkus test boot.
 *
 * <p>Properties: every answer is a vAPI-shaped 2xx/4xx (never a 5xx, never a stack trace, never an
 * HTML page), a request the gateway refuses never reaches a host, only a lookup (action=get) answers a body
 * on success, and a delete with an {@code If-Match} entity-tag the gateway never gave out kills nothing.
 */
@QuarkusTest
class RequestFuzzTest {

    private static final int REQUESTS = 600;
    private static final Duration BUDGET = Duration.ofSeconds(25);
    private static final String SECRET = "Fuzz-S3cret";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final java.util.regex.Pattern CANONICAL_PID = java.util.regex.Pattern.compile("[1-9][0-9]{0,18}");

    @TestHTTPResource("/")
    URI base;

    @Inject
    Simulators simulators;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void reset() {
        simulators.resetAll();
    }

    record FuzzRequest(String flavour, String vm, String pid, String query, String contentType,
            String requestTimeout, String requestId, String ifMatch, byte[] body) {
        @Override
        public String toString() {
            return "POST /" + flavour + "/vcenter/vm/" + vm + "/guest/processes/" + pid + "?" + query
                    + " ct=" + contentType + " timeout=" + requestTimeout + " id=" + requestId + " if-match=" + ifMatch
                    + " body=" + new String(body, StandardCharsets.UTF_8).replaceAll("(.{300}).+", "$1...");
        }
    }

    // --- generators --------------------------------------------------------------------------------

    static Gen<String> unicode(int max) {
        return Gen.unicode(max);
    }

    /** VM ids: the demo's (never failing with 5xx), near misses, and anything at all. */
    static Gen<String> vms() {
        return Gen.frequency(
                Gen.w(4, Gen.of("vm-1", "vm-2", "vm-5", "vm-404", "vm-538:b3ab.x_y")),
                Gen.w(2, Gen.strings("abcvm-_.:0123456789", 0, 90)),
                Gen.w(2, unicode(40)),
                Gen.w(1, Gen.of("vm-1;x=1", "..", ".", "vm-1%00", "vm-1\u0000", "vm\u202e1", "%2e%2e")));
    }

    static Gen<String> pids() {
        return Gen.frequency(
                Gen.w(3, Gen.longs().map(l -> Long.toString(l))),
                Gen.w(3, Gen.longs(1, 6000).map(l -> Long.toString(l))),
                Gen.w(1, Gen.of("0", "-0", "+7", "007", "+1000", "01000", "0001", "9223372036854775807", "9223372036854775808",
                        "99999999999999999999999", "1e3", "0x10", "١٢٣", "1.0", " 1", "")),
                Gen.w(2, unicode(30)));
    }

    static Gen<String> queries() {
        return Gen.frequency(
                Gen.w(5, Gen.of("action=delete", "~action=delete")),
                Gen.w(2, Gen.of("action=get", "~action=get", "action=get&action=delete", "action=GET")),
                Gen.w(2, Gen.of("", "action=", "action=DELETE", "action=delete&action=delete",
                        "action=delete&~action=list", "action", "action=delete&x=%25ZZ", "%61ction=delete", "action=delete&vm=vm-2")),
                Gen.w(1, unicode(20).map(s -> "action=" + enc(s))));
    }

    static Gen<String> contentTypes() {
        return Gen.frequency(
                Gen.w(6, Gen.constant("application/json")),
                Gen.w(2, Gen.of("application/json; charset=UTF-8", "text/plain", "application/xml",
                        "APPLICATION/JSON", "application/jsonx", "multipart/form-data; boundary=x", "*/*", ";;;")),
                Gen.w(1, Gen.constant((String) null)));
    }

    static Gen<String> credentials() {
        Gen<String> type = Gen.of("\"USERNAME_PASSWORD\"", "\"SAML_BEARER_TOKEN\"", "\"KERBEROS\"", "null", "7", "true",
                "[]", "{}", "\"username_password\"");
        Gen<String> text = Gen.frequency(
                Gen.w(4, Gen.of("\"root\"", "\"vmware\"", "\"guest\"", "\"" + SECRET + "\"", "\"demo-saml-token\"")),
                Gen.w(2, Gen.of("null", "1e400", "-1", "123456789012345678901234567890", "true", "[\"a\"]", "{\"a\":1}")),
                Gen.w(1, unicode(20).map(RequestFuzzTest::jsonString)));
        Gen<String> bool = Gen.of("true", "false", "null", "\"true\"", "1", "0");
        Gen<Integer> fieldMask = Gen.ints(0, 31);
        return r -> {
                    String t = type.next(r);
                    String user = text.next(r);
                    String password = text.next(r);
                    String token = text.next(r);
                    String interactive = bool.next(r);
                    int mask = fieldMask.next(r);
                    List<String> fields = new ArrayList<>();
                    if ((mask & 1) != 0) fields.add("\"type\":" + t);
                    if ((mask & 2) != 0) fields.add("\"user_name\":" + user);
                    if ((mask & 4) != 0) fields.add("\"password\":" + password);
                    if ((mask & 8) != 0) fields.add("\"saml_token\":" + token);
                    if ((mask & 16) != 0) fields.add("\"interactive_session\":" + interactive);
                    return "{" + String.join(",", fields) + "}";
                };
    }

    static Gen<byte[]> bodies() {
        Gen<String> wellFormed = credentials().map(c -> "{\"credentials\":" + c + "}");
        Gen<String> valid = Gen.of(
                "{\"credentials\":{\"type\":\"USERNAME_PASSWORD\",\"user_name\":\"root\",\"password\":\"vmware\"}}",
                "{\"credentials\":{\"type\":\"SAML_BEARER_TOKEN\",\"saml_token\":\"demo-saml-token\"}}",
                "{\"credentials\":{\"type\":\"USERNAME_PASSWORD\",\"user_name\":\"guest\",\"password\":\"" + SECRET + "\"}}");
        Gen<Integer> position = Gen.ints(0, 200);
        Gen<String> insertion = unicode(3);
        Gen<Integer> mutation = Gen.ints(0, 3);
        Gen<String> mutated = r -> {
                    String v = valid.next(r);
                    int i = Math.min(position.next(r), v.length());
                    String insert = insertion.next(r);
                    int how = mutation.next(r);
                    return switch (how) {
                        case 0 -> v.substring(0, i) + insert + v.substring(i);           // insert
                        case 1 -> v.substring(0, i) + v.substring(Math.min(v.length(), i + 1)); // delete
                        case 2 -> v.substring(0, i);                                      // truncate
                        default -> v.replace("\"password\"", "\"password\":\"x\",\"password\""); // duplicate key
                    };
                };
        Gen<String> nested = Gen.ints(1, 3000)
                .map(n -> "{\"credentials\":" + "[".repeat(n) + "]".repeat(n) + "}");
        Gen<String> weird = Gen.of("", "null", "[]", "\"x\"", "1", "{", "}", "{\"credentials\":}", "\uFEFF{}",
                "{\"credentials\":{\"type\":\"USERNAME_PASSWORD\",\"password\":\"x\"}} trailing", "{\"credentials\":1e99999}");
        Gen<byte[]> text = Gen.frequency(
                Gen.w(4, wellFormed), Gen.w(2, valid), Gen.w(3, mutated),
                Gen.w(1, nested), Gen.w(1, weird), Gen.w(1, unicode(200)))
                .map(s -> s.getBytes(StandardCharsets.UTF_8));
        Gen<byte[]> binary = Gen.bytes(300);
        return Gen.frequency(Gen.w(9, text), Gen.w(1, binary));
    }

    static Gen<FuzzRequest> requests() {
        Gen<String> headerValue = Gen.frequency(
                Gen.w(3, Gen.constant((String) null)),
                Gen.w(1, Gen.of("5s", "1", "0", "-1", "500ms", "2m", "soon", "99999999999", "1h", "")),
                Gen.w(1, Gen.ascii(140).map(s -> s.replaceAll("[\\r\\n\\x00-\\x1f\\x7f]", ""))));
        Gen<String> flavour = Gen.of("api", "rest");
        Gen<String> vm = vms();
        Gen<String> pid = pids();
        Gen<String> query = queries();
        Gen<String> contentType = contentTypes();
        Gen<byte[]> body = bodies();
        Gen<String> ifMatch = ifMatches();
        return r -> new FuzzRequest(flavour.next(r), vm.next(r), pid.next(r), query.next(r), contentType.next(r),
                headerValue.next(r), headerValue.next(r), ifMatch.next(r), body.next(r));
    }

    /** If-Match: mostly none; {@code *}; entity-tags the gateway never gave out (well-formed or not); anything. */
    static Gen<String> ifMatches() {
        return Gen.frequency(
                Gen.w(6, Gen.constant((String) null)),
                Gen.w(1, Gen.of("*", " * ")),
                Gen.w(2, Gen.of("\"lx2k3-9f86d081884c7d65\"", "\"0-0000000000000000\"", "W/\"lx2k3-9f86d081884c7d65\"",
                        "\"a\", \"b\"", "\"\"", "lx2k3-9f86d081884c7d65", "\"unterminated", "*, \"a\"", ",", "")),
                Gen.w(1, Gen.ascii(60).map(s -> s.replaceAll("[\\r\\n\\x00-\\x1f\\x7f]", ""))));
    }

    /** Authorization headers: mostly the suite's valid token (so the rest of the request is fuzzed), sometimes anything. */
    static Gen<String> authorizations() {
        String valid = "Bearer " + TestTokens.suite();
        return Gen.frequency(
                Gen.w(16, Gen.constant(valid)),
                Gen.w(1, Gen.constant((String) null)),
                Gen.w(1, Gen.of("", "Bearer", "Bearer ", "Bearer x.y.z", "Basic cm9vdDp2bXdhcmU=", "bearer " + TestTokens.suite(),
                        valid + "x", valid.substring(0, valid.length() - 10), valid + " " + valid, "Bearer " + "A".repeat(4000))),
                Gen.w(1, Gen.ascii(200).map(s -> "Bearer " + s.replaceAll("[\\r\\n\\x00-\\x1f\\x7f]", ""))));
    }

    // --- the property --------------------------------------------------------------------------------

    @Test
    void everyAnswerIsVapiShapedAndRefusedRequestsNeverReachAHost() throws Exception {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        Random random = new Random(seed);
        fuzz(seed, random);
    }

    private void fuzz(long seed, Random random) throws Exception {
        Gen<FuzzRequest> generator = requests();
        Gen<String> authorizations = authorizations();
        ControllableSimulator demo = simulators.demo();
        long deadline = System.nanoTime() + BUDGET.toNanos();
        int sent = 0;
        while (sent < REQUESTS && System.nanoTime() < deadline) {
            FuzzRequest request = generator.next(random);
            String authorization = authorizations.next(random);
            long callsBefore = demo.totalCalls();
            HttpResponse<String> response = send(request, authorization);
            sent++;
            String where = "seed " + seed + " (rerun with -Dfuzz.seed=" + seed + "), request #" + sent + ": " + request
                    + " authorization=" + (authorization == null ? "none" : authorization.replaceAll("(.{60}).+", "$1..."))
                    + "\n -> " + response.statusCode() + " " + response.body();
            check(request, response, demo.totalCalls() - callsBefore, where);
        }
        assertThat(sent).as("requests sent in the time budget").isGreaterThanOrEqualTo(100);
    }

    private HttpResponse<String> send(FuzzRequest r, String authorization) throws Exception {
        String path = "/" + r.flavour() + "/vcenter/vm/" + enc(r.vm()) + "/guest/processes/" + enc(r.pid());
        URI uri = base.resolve(path + (r.query().isEmpty() ? "" : "?" + r.query()));
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofByteArray(r.body()));
        if (r.contentType() != null) {
            b.header("Content-Type", r.contentType());
        }
        if (r.requestTimeout() != null) {
            b.header("X-Request-Timeout", r.requestTimeout());
        }
        if (r.requestId() != null) {
            b.header("X-Request-Id", r.requestId());
        }
        if (r.ifMatch() != null) {
            b.header("If-Match", r.ifMatch());
        }
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        HttpRequest request = b.build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        ContractValidation.check(request, response); // every answer, however odd the request, keeps the contract
        return response;
    }

    private static void check(FuzzRequest request, HttpResponse<String> response, long hostCalls, String where) {
        int status = response.statusCode();
        assertThat(status).as(where).isBetween(200, 499);
        if (!CANONICAL_PID.matcher(request.pid()).matches()) {
            // one spelling per pid: "+7" or "007" is refused, never forwarded as 7
            assertThat(status).as("a non-canonical pid was accepted: " + where).isGreaterThanOrEqualTo(400);
            assertThat(hostCalls).as("a non-canonical pid reached a host: " + where).isZero();
        }
        String body = response.body();
        assertThat(body).as(where).doesNotContain(SECRET).doesNotContain("Exception").doesNotContain("\tat ")
                .doesNotContainIgnoringCase("<html");
        boolean lookup = request.query().matches("~?action=get");
        String tag = request.ifMatch() == null ? "" : request.ifMatch().trim();
        if (!lookup && !tag.isEmpty() && !tag.equals("*")) {
            // no entity-tag the gateway gave out: nothing may be killed
            assertThat(status).as("a delete with a foreign If-Match succeeded: " + where).isGreaterThanOrEqualTo(400);
            assertThat(hostCalls).as("a delete with a foreign If-Match reached a host's kill: " + where).isZero();
        }
        if (status == 200 && lookup && !body.isEmpty()) {
            JsonNode info;
            try {
                info = JSON.readTree(body);
            } catch (Exception e) {
                throw new AssertionError("a lookup's answer is not JSON: " + where, e);
            }
            info = request.flavour().equals("rest") ? info.path("value") : info;
            assertThat(info.path("name").isTextual() && info.path("started").isTextual()).as(where).isTrue();
            assertThat(response.headers().firstValue("ETag")).as(where).isPresent();
            return;
        }
        if (status == 200 || status == 204) {
            assertThat(lookup).as("a delete answered a lookup: " + where).isFalse();
            assertThat(body).as(where).isEmpty();
            return;
        }
        assertThat(response.headers().firstValue("Content-Type").orElse("")).as(where).startsWith("application/json");
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + where, e);
        }
        boolean legacy = json.has("type");
        JsonNode content = legacy ? json.path("value") : json;
        String type = legacy ? json.path("type").asText() : json.path("error_type").asText();
        assertThat(type).as(where).isNotBlank();
        assertThat(legacy).as(where).isEqualTo(request.flavour().equals("rest"));
        assertThat(content.path("messages").isArray()).as(where).isTrue();
        content.path("messages").forEach(m -> assertThat(m.has("id") && m.has("default_message") && m.has("args")).as(where).isTrue());
        boolean refusedByGateway = content.path("messages").size() > 0
                && content.path("messages").get(0).path("id").asText().startsWith("com.guestops.gateway.");
        if (refusedByGateway) {
            assertThat(hostCalls).as("a request the gateway refused reached a host: " + where).isZero();
        }
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static String jsonString(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (Exception e) {
            return "\"\"";
        }
    }
}
