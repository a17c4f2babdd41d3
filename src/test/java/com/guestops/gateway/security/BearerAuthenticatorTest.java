package com.guestops.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.guestops.gateway.error.VapiException;
import com.guestops.gateway.support.TestTokens;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.jwt.util.KeyUtils;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Where token verification runs. With a configured key it is CPU work on the event loop; when the key
 * comes from a JWKS URL smallrye-jwt may fetch it synchronously, so verification must move to a worker
 * thread and the answer come back on the request's event-loop context.
 */
class BearerAuthenticatorTest {

    private Vertx vertx;
    private final AtomicReference<String> verifiedOn = new AtomicReference<>();

    @BeforeEach
    void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void stopVertx() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void jwksVerificationRunsOnAWorkerAndAnswersOnTheRequestContext() throws Exception {
        Result result = authenticateOnEventLoop(true, "Bearer " + TestTokens.suite());
        assertThat(result.caller.subject()).isEqualTo(TestTokens.SUITE_SUBJECT);
        assertThat(verifiedOn.get()).startsWith("vert.x-worker-thread");
        assertThat(result.thread).startsWith("vert.x-eventloop-thread");
        assertThat(result.sameContext).isTrue();
    }

    @Test
    void localKeyVerificationStaysOnTheEventLoop() throws Exception {
        Result result = authenticateOnEventLoop(false, "Bearer " + TestTokens.suite());
        assertThat(result.caller.groups()).contains(TestTokens.ROLE);
        assertThat(verifiedOn.get()).startsWith("vert.x-eventloop-thread");
        assertThat(result.thread).isEqualTo(verifiedOn.get());
    }

    @Test
    void rejectionsAlsoComeBackOnTheRequestContext() throws Exception {
        long now = TestTokens.now();
        String expired = TestTokens.sign(TestTokens.claims("svc", TestTokens.ROLE).issuedAt(now - 3600).expiresAt(now - 600));
        Result result = authenticateOnEventLoop(true, "Bearer " + expired);
        assertThat(result.failure).isInstanceOf(VapiException.class);
        assertThat(((VapiException) result.failure).error().messages().get(0).id())
                .isEqualTo("com.guestops.gateway.auth.token_expired");
        assertThat(result.thread).startsWith("vert.x-eventloop-thread");
        assertThat(result.sameContext).isTrue();
    }

    @Test
    void authenticationOffAcceptsAnyoneAsAnonymous() {
        BearerAuthenticator off = new BearerAuthenticator(parser(),
                new AuthSettings(AuthMode.RELAXED_DEMO, TestTokens.ROLE, List.of(), false));
        assertThat(off.authenticate(null).await().indefinitely()).isEqualTo(CallerIdentity.ANONYMOUS);
        assertThat(off.authenticate(List.of("Bearer garbage")).await().indefinitely().authenticated()).isFalse();
    }

    /** gateway.auth.max-token-age is off unless configured: only exp bounds a token's life. */
    @Test
    void tokenAgeIsNotLimitedByDefault() {
        long now = TestTokens.now();
        String old = TestTokens.sign(TestTokens.claims("svc", TestTokens.ROLE).issuedAt(now - 30L * 86_400).expiresAt(now + 365L * 86_400));
        BearerAuthenticator authenticator = new BearerAuthenticator(parser(),
                new AuthSettings(AuthMode.ENFORCED, TestTokens.ROLE, List.of(), false));
        assertThat(authenticator.authenticate(List.of("Bearer " + old)).await().indefinitely().subject()).isEqualTo("svc");
    }

    /** A caller's token is verified once; the same token again is answered from what it verified to. */
    @Test
    void aTokenSeenAgainIsNotVerifiedAgainUntilItExpires() {
        long now = TestTokens.now();
        AtomicLong wallClock = new AtomicLong(now * 1000);
        RecordingParser parser = parser();
        BearerAuthenticator authenticator = new BearerAuthenticator(parser,
                new AuthSettings(AuthMode.ENFORCED, TestTokens.ROLE, List.of(), false), new VerifiedTokens(100, wallClock::get));
        String token = TestTokens.sign(TestTokens.claims("svc", TestTokens.ROLE).issuedAt(now).expiresAt(now + 300));
        String other = TestTokens.sign(TestTokens.claims("other", TestTokens.ROLE).issuedAt(now).expiresAt(now + 300));

        assertThat(authenticator.authenticate(List.of("Bearer " + token)).await().indefinitely().subject()).isEqualTo("svc");
        assertThat(authenticator.authenticate(List.of("Bearer " + token)).await().indefinitely().groups()).contains(TestTokens.ROLE);
        assertThat(parser.verifications.get()).isEqualTo(1);
        assertThat(authenticator.authenticate(List.of("Bearer " + other)).await().indefinitely().subject()).isEqualTo("other");
        assertThat(parser.verifications.get()).isEqualTo(2);

        // at its exp the remembered answer is no longer used: the token is verified again (by the parser, whose own
        // clock has not moved, so it still verifies; a real clock past exp would refuse it there)
        wallClock.set((now + 300) * 1000);
        assertThat(authenticator.authenticate(List.of("Bearer " + token)).await().indefinitely().subject()).isEqualTo("svc");
        assertThat(parser.verifications.get()).isEqualTo(3);
    }

    /**
     * A remembered token is found before its characters are checked for whitespace: the same token with whitespace
     * inside is another string, never remembered, and still refused as malformed without a verification; around it
     * (trimmed) it is the remembered token.
     */
    @Test
    void aRememberedTokenWithWhitespaceInsideIsStillMalformed() {
        long now = TestTokens.now();
        RecordingParser parser = parser();
        BearerAuthenticator authenticator = remembering(parser);
        String token = TestTokens.sign(TestTokens.claims("svc", TestTokens.ROLE).issuedAt(now).expiresAt(now + 300));
        assertThat(authenticator.authenticate(List.of("Bearer " + token)).await().indefinitely().subject()).isEqualTo("svc");

        for (String inside : List.of(" ", "\t", "\u000B", "\u001C")) {
            String split = token.substring(0, 20) + inside + token.substring(20);
            assertThatThrownBy(() -> authenticator.authenticate(List.of("Bearer " + split)).await().indefinitely())
                    .isInstanceOfSatisfying(VapiException.class, e -> assertThat(e.error().messages().get(0).args())
                            .as("refused as malformed").containsExactly(AuthMessages.TokenProblem.MALFORMED.tag()));
        }
        assertThat(authenticator.authenticate(List.of("  Bearer \t" + token + " \r\n")).await().indefinitely().subject())
                .isEqualTo("svc");
        assertThat(parser.verifications.get()).as("only the first request verified its token").isEqualTo(1);
    }

    /** Remembered tokens are told apart by every character, also one outside ASCII. */
    @Test
    void tokensDifferingOnlyOutsideAsciiAreNotTheSameEntry() {
        VerifiedTokens tokens = new VerifiedTokens(100, System::currentTimeMillis);
        CallerIdentity caller = CallerIdentity.authenticated("svc", Set.of(TestTokens.ROLE));
        tokens.remember("header.pay?load.signature", caller, System.currentTimeMillis() + 60_000);
        assertThat(tokens.caller("header.pay?load.signature")).isEqualTo(caller);
        for (String other : List.of("header.pay\u00e9load.signature", "header.pay\u20acload.signature", "header.pay\u0100load.signature")) {
            assertThat(tokens.caller(other)).as(other).isNull();
        }
    }

    /** A refused token is not remembered: every attempt is verified and refused again. */
    @Test
    void refusedTokensAreNotRemembered() {
        long now = TestTokens.now();
        RecordingParser parser = parser();
        BearerAuthenticator authenticator = remembering(parser);
        String untrusted = TestTokens.signWithUntrustedKey(TestTokens.claims("svc", TestTokens.ROLE).issuedAt(now).expiresAt(now + 300));
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> authenticator.authenticate(List.of("Bearer " + untrusted)).await().indefinitely())
                    .isInstanceOf(VapiException.class);
        }
        assertThat(parser.verifications.get()).isEqualTo(2);
    }

    /** gateway.auth.max-token-age ends a remembered token's life before its exp. */
    @Test
    void aRememberedTokenAgesOutWithMaxTokenAge() {
        long now = TestTokens.now();
        AtomicLong wallClock = new AtomicLong(now * 1000);
        RecordingParser parser = parser();
        BearerAuthenticator authenticator = new BearerAuthenticator(parser,
                new AuthSettings(AuthMode.ENFORCED, TestTokens.ROLE, List.of(), false, AuthSettings.DEFAULT_CLOCK_SKEW,
                        Optional.of(Duration.ofSeconds(60)), AuthSettings.DEFAULT_GROUPS_PATH),
                new VerifiedTokens(100, wallClock::get));
        String token = TestTokens.sign(TestTokens.claims("svc", TestTokens.ROLE).issuedAt(now).expiresAt(now + 3600));
        authenticator.authenticate(List.of("Bearer " + token)).await().indefinitely();
        wallClock.set((now + 59) * 1000);
        authenticator.authenticate(List.of("Bearer " + token)).await().indefinitely();
        assertThat(parser.verifications.get()).isEqualTo(1);
        wallClock.set((now + 60) * 1000);
        authenticator.authenticate(List.of("Bearer " + token)).await().indefinitely();
        assertThat(parser.verifications.get()).isEqualTo(2);
    }

    private record Result(CallerIdentity caller, Throwable failure, String thread, boolean sameContext) {
    }

    private Result authenticateOnEventLoop(boolean blocking, String authorization) throws Exception {
        BearerAuthenticator authenticator = new BearerAuthenticator(parser(),
                new AuthSettings(AuthMode.ENFORCED, TestTokens.ROLE, List.of(), blocking));
        Context context = vertx.getOrCreateContext();
        CompletableFuture<Result> done = new CompletableFuture<>();
        context.runOnContext(v -> authenticator.authenticate(List.of(authorization)).subscribe().with(
                caller -> done.complete(new Result(caller, null, Thread.currentThread().getName(),
                        Vertx.currentContext() == context)),
                failure -> done.complete(new Result(null, failure, Thread.currentThread().getName(),
                        Vertx.currentContext() == context))));
        return done.get(10, TimeUnit.SECONDS);
    }

    /** Enforced, without a JWKS, remembering up to 100 verified tokens by the wall clock. */
    private static BearerAuthenticator remembering(RecordingParser parser) {
        return new BearerAuthenticator(parser, new AuthSettings(AuthMode.ENFORCED, TestTokens.ROLE, List.of(), false),
                new VerifiedTokens(100, System::currentTimeMillis));
    }

    private RecordingParser parser() {
        try {
            JWTAuthContextInfo info = new JWTAuthContextInfo(KeyUtils.readPublicKey("auth/test-public.pem"), TestTokens.ISSUER);
            info.setExpectedAudience(Set.of(TestTokens.AUDIENCE));
            return new RecordingParser(info);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** smallrye-jwt's parser, recording the thread each verification runs on. */
    private final class RecordingParser extends DefaultJWTParser {
        RecordingParser(JWTAuthContextInfo info) {
            super(info);
        }

        final AtomicInteger verifications = new AtomicInteger();

        @Override
        public JsonWebToken parse(String token) throws ParseException {
            verifications.incrementAndGet();
            verifiedOn.set(Thread.currentThread().getName());
            return super.parse(token);
        }
    }
}
