package com.guestops.gateway.security;

import static com.guestops.gateway.support.VapiCall.delete;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.guestops.gateway.api.Flavour;
import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.support.LogCapture;
import com.guestops.gateway.support.Management;
import com.guestops.gateway.support.MetricsScrape;
import com.guestops.gateway.support.Simulators;
import com.guestops.gateway.support.TestTokens;
import com.guestops.gateway.support.VapiAnswer;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Bearer-token authentication of callers, through HTTP, in both flavours: every rejection is the exact
 * vAPI body of its flavour, and a rejected request never reaches a host.
 */
@QuarkusTest
class CallerAuthenticationTest {

    private static final String MISSING = "{\"id\":\"com.guestops.gateway.auth.token_missing\","
            + "\"default_message\":\"This operation requires a bearer token (Authorization: Bearer <JWT>).\",\"args\":[]}";
    private static final String EXPIRED = "{\"id\":\"com.guestops.gateway.auth.token_expired\","
            + "\"default_message\":\"The bearer token has expired.\",\"args\":[]}";
    private static final String CHALLENGE = "Bearer realm=\"guestops-gateway\"";
    private static final String CHALLENGE_INVALID = "Bearer realm=\"guestops-gateway\", error=\"invalid_token\"";

    @Inject
    Simulators simulators;

    @BeforeEach
    void freshSimulator() {
        simulators.resetAll();
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void validTokenWithTheRoleSucceeds(Flavour flavour) {
        delete(flavour, "vm-1", 1000).token(TestTokens.token("svc-reaper", TestTokens.ROLE, TestTokens.SUITE_GROUP))
                .send().assertSuccess();
        assertThat(simulators.demo().calls("vm-1")).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void bearerSchemeIsCaseInsensitive(Flavour flavour) {
        delete(flavour, "vm-1", 1000).authorization("bearer " + TestTokens.suite()).send().assertSuccess();
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void noTokenIsUnauthenticated(Flavour flavour) {
        VapiAnswer answer = rejected(delete(flavour, "vm-1", 1000).noAuthorization());
        assertUnauthenticated(answer, MISSING, CHALLENGE);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void otherSchemeIsLikeNoToken(Flavour flavour) {
        VapiAnswer answer = rejected(delete(flavour, "vm-1", 1000).authorization("Basic cm9vdDp2bXdhcmU="));
        assertUnauthenticated(answer, MISSING, CHALLENGE);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void malformedTokenIsUnauthenticated(Flavour flavour) {
        for (String value : new String[] {"Bearer not-a-jwt", "Bearer", "Bearer a.b.c", "Bearer " + TestTokens.suite() + " x"}) {
            VapiAnswer answer = rejected(delete(flavour, "vm-1", 1000).authorization(value));
            assertUnauthenticated(answer, invalid("malformed", "it is not a well-formed JWT signed with an accepted algorithm"),
                    CHALLENGE_INVALID);
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void unsignedTokenIsUnauthenticated(Flavour flavour) {
        String unsigned = TestTokens.claims("svc-reaper", TestTokens.ROLE).jws().algorithm(
                io.smallrye.jwt.algorithm.SignatureAlgorithm.HS256).signWithSecret("a-secret-anyone-could-pick-0123456789abcdef");
        String payload = TestTokens.token("svc-reaper", TestTokens.ROLE).split("\\.")[1];
        String algNone = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8)) + "." + payload + ".";
        for (String token : List.of(unsigned, algNone)) {
            VapiAnswer answer = rejected(delete(flavour, "vm-1", 1000).token(token));
            answer.assertError(401, ErrorType.UNAUTHENTICATED);
            assertThat(answer.messageIds()).containsExactly("com.guestops.gateway.auth.token_invalid");
            assertThat(answer.header("WWW-Authenticate")).isEqualTo(CHALLENGE_INVALID);
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void badSignatureIsUnauthenticated(Flavour flavour) {
        String forged = TestTokens.signWithUntrustedKey(TestTokens.claims("svc-reaper", TestTokens.ROLE));
        VapiAnswer answer = rejected(delete(flavour, "vm-1", 1000).token(forged));
        assertUnauthenticated(answer, invalid("signature", "its signature does not verify"), CHALLENGE_INVALID);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void tamperedClaimsAreUnauthenticated(Flavour flavour) {
        String[] parts = TestTokens.token("svc-no-role").split("\\.");
        String elevated = TestTokens.token("svc-no-role", TestTokens.ROLE).split("\\.")[1];
        VapiAnswer answer = rejected(delete(flavour, "vm-1", 1000).token(parts[0] + "." + elevated + "." + parts[2]));
        assertUnauthenticated(answer, invalid("signature", "its signature does not verify"), CHALLENGE_INVALID);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void wrongIssuerIsUnauthenticated(Flavour flavour) {
        String token = TestTokens.sign(TestTokens.claims("svc-reaper", TestTokens.ROLE).issuer("https://evil.example"));
        VapiAnswer answer = rejected(delete(flavour, "vm-1", 1000).token(token));
        assertUnauthenticated(answer, invalid("issuer", "it was not issued by the trusted issuer"), CHALLENGE_INVALID);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void wrongAudienceIsUnauthenticated(Flavour flavour) {
        String token = TestTokens.sign(TestTokens.claims("svc-reaper", TestTokens.ROLE).audience("another-service"));
        VapiAnswer answer = rejected(delete(flavour, "vm-1", 1000).token(token));
        assertUnauthenticated(answer, invalid("audience", "it is not intended for this gateway (audience)"),
                CHALLENGE_INVALID);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void expiredTokenIsUnauthenticated(Flavour flavour) {
        long now = TestTokens.now();
        String token = TestTokens.sign(TestTokens.claims("svc-reaper", TestTokens.ROLE)
                .issuedAt(now - 3600).expiresAt(now - 120)); // beyond the 30 s clock skew
        VapiAnswer answer = rejected(delete(flavour, "vm-1", 1000).token(token));
        assertUnauthenticated(answer, EXPIRED, CHALLENGE_INVALID);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void expiryWithinTheClockSkewIsAccepted(Flavour flavour) {
        long now = TestTokens.now();
        String token = TestTokens.sign(TestTokens.claims("svc-reaper", TestTokens.ROLE, TestTokens.SUITE_GROUP)
                .issuedAt(now - 600).expiresAt(now - 5));
        delete(flavour, "vm-1", 1000).token(token).send().assertSuccess();
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void notYetValidTokenIsUnauthenticated(Flavour flavour) {
        long now = TestTokens.now();
        String token = TestTokens.sign(TestTokens.claims("svc-reaper", TestTokens.ROLE)
                .claim("nbf", now + 600).expiresAt(now + 1200)); // beyond the 30 s clock skew
        VapiAnswer answer = rejected(delete(flavour, "vm-1", 1000).token(token));
        assertUnauthenticated(answer, invalid("not_yet_valid", "it is not valid yet"), CHALLENGE_INVALID);
    }

    /** Found by review: a token "issued" an hour from now was accepted; iat may only be ahead by the clock skew. */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void tokenIssuedInTheFutureIsNotYetValid(Flavour flavour) {
        long now = TestTokens.now();
        String token = TestTokens.sign(TestTokens.claims("svc-reaper", TestTokens.ROLE, TestTokens.SUITE_GROUP)
                .issuedAt(now + 3600).expiresAt(now + 7200));
        VapiAnswer answer = rejected(delete(flavour, "vm-1", 1000).token(token));
        assertUnauthenticated(answer, invalid("not_yet_valid", "it is not valid yet"), CHALLENGE_INVALID);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void issueTimeAheadWithinTheClockSkewIsAccepted(Flavour flavour) {
        long now = TestTokens.now();
        String token = TestTokens.sign(TestTokens.claims("svc-reaper", TestTokens.ROLE, TestTokens.SUITE_GROUP)
                .issuedAt(now + 15).expiresAt(now + 600)); // the test profile's skew is 30 s
        delete(flavour, "vm-1", 1000).token(token).send().assertSuccess();
    }

    /** gateway.auth.max-token-age (1h in the test profile): a token with a far-future exp still ages out. */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void tokenOlderThanTheMaximumAgeIsUnauthenticated(Flavour flavour) {
        long now = TestTokens.now();
        String token = TestTokens.sign(TestTokens.claims("svc-reaper", TestTokens.ROLE, TestTokens.SUITE_GROUP)
                .issuedAt(now - 7200).expiresAt(now + 365L * 86_400));
        VapiAnswer answer = rejected(delete(flavour, "vm-1", 1000).token(token));
        assertUnauthenticated(answer, invalid("too_old", "it was issued longer ago than the maximum token age this gateway accepts"),
                CHALLENGE_INVALID);
    }

    /** A token that does not say when it was issued cannot prove its age (nor that it is not from the future). */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void tokenWithoutIssueTimeIsUnauthenticated(Flavour flavour) {
        long now = TestTokens.now();
        String token = TestTokens.signRaw("{\"iss\":\"" + TestTokens.ISSUER + "\",\"aud\":\"" + TestTokens.AUDIENCE
                + "\",\"sub\":\"svc-reaper\",\"groups\":[\"" + TestTokens.ROLE + "\",\"" + TestTokens.SUITE_GROUP
                + "\"],\"exp\":" + (now + 600) + "}");
        VapiAnswer answer = rejected(delete(flavour, "vm-1", 1000).token(token));
        answer.assertError(401, ErrorType.UNAUTHENTICATED);
        assertThat(answer.messageIds()).containsExactly("com.guestops.gateway.auth.token_invalid");
        assertThat(answer.body()).contains("\"args\":[\"claims\"]"); // smallrye-jwt requires iat
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void tokenYoungerThanTheMaximumAgeIsAccepted(Flavour flavour) {
        long now = TestTokens.now();
        String token = TestTokens.sign(TestTokens.claims("svc-reaper", TestTokens.ROLE, TestTokens.SUITE_GROUP)
                .issuedAt(now - 1800).expiresAt(now + 365L * 86_400));
        delete(flavour, "vm-1", 1000).token(token).send().assertSuccess();
    }

    /**
     * MicroProfile JWT defines groups as an array of strings; smallrye-jwt would split a string on spaces, so a
     * group named "Domain Admins" would become the two groups "Domain" and "Admins". Such a token is refused.
     */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void groupsGivenAsOneStringAreRefused(Flavour flavour) {
        for (String groups : List.of(TestTokens.ROLE + " " + TestTokens.SUITE_GROUP, TestTokens.ROLE)) {
            String token = TestTokens.sign(TestTokens.claims("svc-reaper").claim("groups", groups));
            VapiAnswer answer = rejected(delete(flavour, "vm-1", 1000).token(token));
            assertUnauthenticated(answer, invalid("groups", "its groups claim is not an array of strings"), CHALLENGE_INVALID);
        }
        String numbers = TestTokens.sign(TestTokens.claims("svc-reaper").claim("groups", List.of(TestTokens.ROLE, 7)));
        assertUnauthenticated(rejected(delete(flavour, "vm-1", 1000).token(numbers)),
                invalid("groups", "its groups claim is not an array of strings"), CHALLENGE_INVALID);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void tokenWithoutSubjectIsUnauthenticated(Flavour flavour) {
        long now = TestTokens.now();
        String token = TestTokens.sign(io.smallrye.jwt.build.Jwt.issuer(TestTokens.ISSUER).audience(TestTokens.AUDIENCE)
                .upn("someone@example").groups(TestTokens.ROLE).issuedAt(now).expiresAt(now + 600));
        VapiAnswer answer = rejected(delete(flavour, "vm-1", 1000).token(token));
        assertUnauthenticated(answer, invalid("no_subject", "it has no subject (sub) claim"), CHALLENGE_INVALID);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void tokenWithoutTheRoleIsUnauthorized(Flavour flavour) {
        VapiAnswer answer = rejected(delete(flavour, "vm-1", 1000)
                .token(TestTokens.token("svc-reader", "guestops.read", TestTokens.SUITE_GROUP)));
        answer.assertError(403, ErrorType.UNAUTHORIZED);
        String message = "{\"id\":\"com.guestops.gateway.auth.role_missing\",\"default_message\":\"Caller svc-reader does"
                + " not have the role guestops.terminate required to terminate guest processes.\","
                + "\"args\":[\"svc-reader\",\"guestops.terminate\"]}";
        assertThat(answer.body()).isEqualTo(body(flavour, "unauthorized", message, null));
        assertThat(answer.header("WWW-Authenticate")).isNull();
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void authenticationComesBeforeValidation(Flavour flavour) {
        VapiAnswer answer = rejected(delete(flavour, "bad vm!", "0").noAuthorization().body("{not json"));
        assertUnauthenticated(answer, MISSING, CHALLENGE);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void rejectionsAreGatewayOutcomesAndNeverHostAttempts(Flavour flavour) {
        long now = TestTokens.now();
        String expired = TestTokens.sign(TestTokens.claims("svc-reaper", TestTokens.ROLE).issuedAt(now - 3600).expiresAt(now - 600));
        MetricsScrape before = MetricsScrape.take();
        rejected(delete(flavour, "vm-1", 1000).noAuthorization()).assertError(401, ErrorType.UNAUTHENTICATED);
        rejected(delete(flavour, "vm-lab-ok", 7).token(expired)).assertError(401, ErrorType.UNAUTHENTICATED);
        rejected(delete(flavour, "vm-1", 1000).token(TestTokens.token("svc-reader", TestTokens.SUITE_GROUP)))
                .assertError(403, ErrorType.UNAUTHORIZED);
        rejected(delete(flavour, "vm-1", 1000).token(TestTokens.token("svc-lab-vms", TestTokens.ROLE)))
                .assertError(403, ErrorType.UNAUTHORIZED);
        MetricsScrape after = MetricsScrape.take();

        assertThat(after.delta(before, "guestops_host_attempts_total")).as("host attempts").isZero();
        assertThat(after.delta(before, "guestops_terminate_requests_total", "flavour", flavour.tag(), "host", "none",
                "outcome", "unauthenticated", "source", "gateway")).isEqualTo(2);
        assertThat(after.delta(before, "guestops_terminate_requests_total", "flavour", flavour.tag(), "host", "none",
                "outcome", "unauthorized", "source", "gateway")).isEqualTo(2);
        assertThat(after.delta(before, "guestops_terminate_requests_total")).as("all requests").isEqualTo(4);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void auditLogNamesTheVerifiedCaller(Flavour flavour) throws Exception {
        String ok = "req-" + java.util.UUID.randomUUID();
        String noRole = "req-" + java.util.UUID.randomUUID();
        String outOfScope = "req-" + java.util.UUID.randomUUID();
        String anonymous = "req-" + java.util.UUID.randomUUID();
        String forged = "req-" + java.util.UUID.randomUUID();
        try (LogCapture log = LogCapture.start()) {
            delete(flavour, "vm-1", 1000).header("X-Request-Id", ok)
                    .token(TestTokens.token("svc-audited", TestTokens.ROLE, TestTokens.SUITE_GROUP)).send().assertSuccess();
            delete(flavour, "vm-1", 1000).header("X-Request-Id", noRole)
                    .token(TestTokens.token("svc-reader", TestTokens.SUITE_GROUP)).send().assertError(403, ErrorType.UNAUTHORIZED);
            delete(flavour, "vm-1", 1000).header("X-Request-Id", outOfScope)
                    .token(TestTokens.token("svc-lab-vms", TestTokens.ROLE)).send().assertError(403, ErrorType.UNAUTHORIZED);
            delete(flavour, "vm-1", 1000).header("X-Request-Id", anonymous).noAuthorization().send()
                    .assertError(401, ErrorType.UNAUTHENTICATED);
            delete(flavour, "vm-1", 1000).header("X-Request-Id", forged)
                    .token(TestTokens.signWithUntrustedKey(TestTokens.claims("svc-forged", TestTokens.ROLE))).send()
                    .assertError(401, ErrorType.UNAUTHENTICATED);

            assertAudit(log, ok, "svc-audited", "success", "host", "demo");
            assertAudit(log, noRole, "svc-reader", "unauthorized", "gateway", "none");
            assertAudit(log, outOfScope, "svc-lab-vms", "unauthorized", "gateway", "none");
            assertAudit(log, anonymous, null, "unauthenticated", "gateway", "none");
            assertAudit(log, forged, null, "unauthenticated", "gateway", "none");
        }
    }

    private static void assertAudit(LogCapture log, String requestId, String caller, String outcome, String source,
            String host) throws Exception {
        List<com.fasterxml.jackson.databind.JsonNode> lines = log.auditLines(requestId);
        assertThat(lines).as("audit lines of %s", requestId).hasSize(1);
        com.fasterxml.jackson.databind.JsonNode line = lines.get(0);
        if (caller == null) {
            assertThat(line.path("caller").isNull()).as("caller of %s", line).isTrue();
        } else {
            assertThat(line.path("caller").asText()).isEqualTo(caller);
        }
        assertThat(line.path("outcome").asText()).isEqualTo(outcome);
        assertThat(line.path("source").asText()).isEqualTo(source);
        assertThat(line.path("host").asText()).isEqualTo(host);
    }

    @Test
    void healthMetricsAndOpenApiNeedNoToken() {
        for (String path : new String[] {"/q/health/live", "/q/health/ready", "/q/health", "/q/metrics"}) {
            Management.given().get(path).then().statusCode(200);
            Management.given().header("Authorization", "Bearer not-a-jwt").get(path).then().statusCode(200);
        }
        given().get("/q/openapi").then().statusCode(200);
        given().header("Authorization", "Bearer not-a-jwt").get("/q/openapi").then().statusCode(200);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void callerSubjectIsInTheLogContextAndTheTokenNowhere(Flavour flavour) {
        String valid = TestTokens.token("svc-audited", TestTokens.ROLE, TestTokens.SUITE_GROUP);
        String forged = TestTokens.signWithUntrustedKey(TestTokens.claims("svc-forged", TestTokens.ROLE));
        List<VapiAnswer> answers = new ArrayList<>();
        try (LogCapture log = LogCapture.start()) {
            answers.add(delete(flavour, "vm-1", 1000).token(valid).send().assertSuccess());
            answers.add(delete(flavour, "vm-1", 4242).token(valid).send().assertError(404, ErrorType.NOT_FOUND));
            answers.add(delete(flavour, "vm-1", 1000).token(forged).send());
            answers.add(delete(flavour, "vm-1", 1000).authorization("Bearer " + valid + " " + forged).send());

            assertThat(log.lines()).as("the request's log lines carry the caller in the MDC")
                    .anySatisfy(line -> assertThat(line).contains("mdc=").contains("caller=svc-audited"));
            for (String token : List.of(valid, forged)) {
                String signature = token.substring(token.lastIndexOf('.') + 1);
                assertThat(log.all()).doesNotContain(token).doesNotContain(signature);
                assertThat(answers).allSatisfy(a -> assertThat(a.body()).doesNotContain(signature));
            }
            assertThat(log.all()).doesNotContain("svc-forged"); // an unverified subject is never trusted, not even in logs
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    /** Sends the call and checks that no host saw it. */
    private VapiAnswer rejected(com.guestops.gateway.support.VapiCall call) {
        long before = hostCalls();
        VapiAnswer answer = call.send();
        assertThat(hostCalls()).as("host calls after a rejected request").isEqualTo(before);
        return answer;
    }

    /** Terminate calls that reached any simulator host (the real-protocol mocks count as host attempts in metrics). */
    private long hostCalls() {
        return simulators.totalCalls();
    }

    private static void assertUnauthenticated(VapiAnswer answer, String message, String challenge) {
        answer.assertError(401, ErrorType.UNAUTHENTICATED);
        assertThat(answer.header("WWW-Authenticate")).isEqualTo(challenge);
        assertThat(answer.body()).isEqualTo(body(answer.flavour(), "unauthenticated", message, challenge));
    }

    private static String invalid(String reason, String explanation) {
        return "{\"id\":\"com.guestops.gateway.auth.token_invalid\",\"default_message\":\"The bearer token is not valid: "
                + explanation + ".\",\"args\":[\"" + reason + "\"]}";
    }

    /** The exact error body: modern flavour with vAPI's challenge field, legacy without. */
    static String body(Flavour flavour, String type, String message, String challenge) {
        if (flavour == Flavour.API) {
            String challengeField = challenge == null ? ""
                    : ",\"challenge\":\"" + challenge.replace("\"", "\\\"") + "\"";
            return "{\"error_type\":\"" + type.toUpperCase() + "\",\"messages\":[" + message + "]" + challengeField + "}";
        }
        return "{\"type\":\"com.vmware.vapi.std.errors." + type + "\",\"value\":{\"messages\":[" + message + "]}}";
    }
}
