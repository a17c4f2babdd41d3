package com.guestops.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.guestops.gateway.error.VapiException;
import com.guestops.gateway.support.TestTokens;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.jwt.util.KeyUtils;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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

        @Override
        public JsonWebToken parse(String token) throws ParseException {
            verifiedOn.set(Thread.currentThread().getName());
            return super.parse(token);
        }
    }
}
