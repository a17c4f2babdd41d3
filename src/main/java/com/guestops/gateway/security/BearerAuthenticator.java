package com.guestops.gateway.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.guestops.gateway.error.VapiException;
import com.guestops.gateway.security.AuthMessages.TokenProblem;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.lang.UnresolvableKeyException;

/**
 * Authenticates the caller of a terminate request from its {@code Authorization: Bearer <JWT>} header
 * ({@link #authenticate}) and checks the required role ({@link #requireRole}), two steps so that the
 * subject of a caller without the role is known (audit log, MDC) before it is refused. The token is verified by smallrye-jwt's {@link JWTParser}, configured by the
 * standard {@code mp.jwt.verify.*} properties (key or JWKS, issuer, audiences, clock skew).
 *
 * <p>The gateway does this itself, instead of Quarkus' HTTP security layer (disabled with
 * {@code quarkus.smallrye-jwt.enabled=false}), so that every rejection is a vAPI error of the request's
 * flavour flowing through the same path as every other outcome, and so that no other path (health,
 * metrics, OpenAPI) is ever challenged.
 *
 * <p>Threading: verifying with a configured key is pure CPU work and runs on the event loop. When the
 * key is fetched over HTTP (a JWKS URL: {@link AuthSettings#blockingVerification()}), smallrye-jwt fetches
 * and refreshes it synchronously, so verification runs on a worker thread and the result is delivered
 * back on the request's event-loop context.
 *
 * <p>The token is never logged, echoed or kept: only the verified subject and groups leave this class.
 */
@Singleton
public class BearerAuthenticator {

    private static final Logger LOG = Logger.getLogger(BearerAuthenticator.class);
    private static final String BEARER = "bearer";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JWTParser parser;
    private final AuthSettings settings;
    private final VerifiedTokens verifiedTokens;

    @Inject
    public BearerAuthenticator(JWTParser parser, AuthStartupCheck startup, AuthConfig config) {
        this(parser, startup.settings(), new VerifiedTokens(config.verifiedTokenCacheSize(), System::currentTimeMillis));
    }

    BearerAuthenticator(JWTParser parser, AuthSettings settings) {
        this(parser, settings, VerifiedTokens.none());
    }

    BearerAuthenticator(JWTParser parser, AuthSettings settings, VerifiedTokens verifiedTokens) {
        this.parser = parser;
        this.settings = settings;
        this.verifiedTokens = verifiedTokens;
    }

    /**
     * @param authorization every value of the request's {@code Authorization} header (null or empty: none)
     * @return the caller (its role not checked yet: {@link #requireRole}), or a failure with a
     *         {@link VapiException}: 401 {@code unauthenticated} (missing, malformed, invalid or expired token)
     */
    public Uni<CallerIdentity> authenticate(List<String> authorization) {
        if (!settings.enforced()) {
            return Uni.createFrom().item(CallerIdentity.ANONYMOUS);
        }
        String token;
        try {
            token = bearerCandidate(authorization);
            CallerIdentity known = verifiedTokens.caller(token);
            if (known != null) {
                // verified before and not expired since; the same token passed requireTokenSyntax then
                return Uni.createFrom().item(known);
            }
            requireTokenSyntax(token);
        } catch (VapiException rejected) {
            return Uni.createFrom().failure(rejected);
        }
        Uni<JsonWebToken> verified = settings.blockingVerification()
                ? offloaded(token)
                : Uni.createFrom().item(() -> verify(token));
        return verified.map(jwt -> identity(token, jwt));
    }

    /** Throws 403 {@code unauthorized} unless the caller's groups list the required role (no-op when callers are not checked). */
    public void requireRole(CallerIdentity caller) {
        if (!settings.enforced()) {
            return;
        }
        if (!caller.authenticated() || !caller.inGroup(settings.requiredRole())) {
            LOG.infof("Denied caller %s: its token does not list the required role %s (groups %s)", caller.subject(),
                    settings.requiredRole(), caller.groups());
            throw AuthMessages.roleMissing(caller.subject(), settings.requiredRole());
        }
    }

    private Uni<JsonWebToken> offloaded(String token) {
        Context context = Vertx.currentContext();
        if (context == null) {
            return Uni.createFrom().item(() -> verify(token)).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
        }
        // executeBlocking completes its future back on this (the request's) context
        return Uni.createFrom().completionStage(() -> context.<JsonWebToken> executeBlocking(() -> verify(token), false)
                .toCompletionStage());
    }

    /**
     * The token of a single {@code Authorization: Bearer <token>} header. Read by index, one pass over the header
     * and no copy but the token's: the header is as long as the token (about a kilobyte for an RS256 JWT with a few
     * claims), and this runs for every request (trimmed copies and a {@link Character#isWhitespace} lookup per
     * character were 5 % of the event loops' samples with authentication on, bench/HISTORY.md). The rules are
     * those of {@code String.trim()} around the header and around the token and of {@code Character.isWhitespace}
     * between scheme and token, held equal by {@code BearerTokenSyntaxTest}.
     */
    static String bearerToken(List<String> authorization) {
        return requireTokenSyntax(bearerCandidate(authorization));
    }

    /**
     * What {@link #bearerToken} returns, or refuses, except a token with whitespace inside: that check reads the whole
     * token, and a token found among the verified ones needs none ({@link VerifiedTokens} only holds tokens that
     * passed it, and keys them by their exact characters).
     */
    private static String bearerCandidate(List<String> authorization) {
        if (authorization == null || authorization.isEmpty()) {
            LOG.debug("Rejected a request without an Authorization header");
            throw AuthMessages.tokenMissing();
        }
        if (authorization.size() > 1) {
            LOG.info("Rejected a request with more than one Authorization header");
            throw AuthMessages.tokenInvalid(TokenProblem.MALFORMED);
        }
        String value = authorization.get(0) == null ? "" : authorization.get(0);
        int start = 0;
        int end = value.length();
        while (start < end && value.charAt(start) <= ' ') {
            start++;
        }
        while (end > start && value.charAt(end - 1) <= ' ') {
            end--;
        }
        int space = indexOfWhitespace(value, start, end);
        int schemeEnd = space < 0 ? end : space;
        if (schemeEnd - start != BEARER.length() || !value.regionMatches(true, start, BEARER, 0, BEARER.length())) {
            LOG.debug("Rejected a request whose Authorization header is not a bearer token");
            throw AuthMessages.tokenMissing();
        }
        int tokenStart = space < 0 ? end : space + 1;
        while (tokenStart < end && value.charAt(tokenStart) <= ' ') {
            tokenStart++;
        }
        if (tokenStart == end) {
            throw malformed();
        }
        return value.substring(tokenStart, end);
    }

    /** The token, unless it has whitespace inside (the trimmed token of a header with two words after the scheme). */
    private static String requireTokenSyntax(String token) {
        if (indexOfWhitespace(token, 0, token.length()) >= 0) {
            throw malformed();
        }
        return token;
    }

    private static VapiException malformed() {
        LOG.info("Rejected a request with a malformed bearer token");
        return AuthMessages.tokenInvalid(TokenProblem.MALFORMED);
    }

    private JsonWebToken verify(String token) {
        try {
            return parser.parse(token);
        } catch (ParseException e) {
            VapiException rejection = rejection(e);
            if (e.getCause() instanceof UnresolvableKeyException) {
                // the key could not be resolved at all: a misconfigured key location or an unreachable JWKS
                // endpoint answers every caller like this, so say so where an operator will look
                LOG.warnf("Rejected a bearer token: no verification key could be resolved for it (%s)."
                        + " If every caller is rejected like this, check mp.jwt.verify.publickey.location and that"
                        + " the key or JWKS endpoint is reachable.", rootMessage(e));
            } else {
                LOG.infof("Rejected a bearer token: %s", rejection.error().messages().get(0).id()
                        + rejection.error().messages().get(0).args());
            }
            throw rejection;
        }
    }

    /**
     * The verified subject and groups, after the checks smallrye-jwt does not make (issue time and age, the type
     * of the groups claim); nothing else of the token is kept. Remembered until the token expires.
     */
    private CallerIdentity identity(String token, JsonWebToken jwt) {
        String subject = jwt.getSubject();
        if (subject == null || subject.isBlank()) {
            LOG.info("Rejected a bearer token without a subject (sub) claim");
            throw AuthMessages.tokenInvalid(TokenProblem.NO_SUBJECT);
        }
        JsonNode claims = payload(jwt.getRawToken());
        checkIssueTime(claims.path("iat"), System.currentTimeMillis() / 1000);
        checkGroupsClaim(claims);
        Set<String> groups = jwt.getGroups() == null ? Set.of() : jwt.getGroups();
        CallerIdentity caller = CallerIdentity.authenticated(subject, groups);
        verifiedTokens.remember(token, caller, acceptedUntilMillis(claims));
        return caller;
    }

    /**
     * When this token stops being accepted: its {@code exp} (without the clock skew smallrye-jwt tolerates, so a
     * remembered token never outlives a fresh verification), or sooner by {@code gateway.auth.max-token-age}.
     * 0 (never remembered) without a numeric {@code exp}.
     */
    private long acceptedUntilMillis(JsonNode claims) {
        JsonNode exp = claims.path("exp");
        if (!exp.isNumber()) {
            return 0;
        }
        long until = exp.asLong();
        if (settings.maxTokenAge().isPresent()) {
            until = Math.min(until, claims.path("iat").asLong() + settings.maxTokenAge().get().toSeconds());
        }
        return until * 1000;
    }

    /**
     * smallrye-jwt checks {@code iat} only against {@code exp}: a token "issued" in the future is refused here
     * (beyond the clock skew), and, with {@code gateway.auth.max-token-age}, one issued too long ago, so that a
     * token minted with a far-future {@code exp} still ages out. A token without {@code iat} has no provable age.
     */
    private void checkIssueTime(JsonNode iat, long now) {
        if (!iat.isNumber()) {
            // smallrye-jwt refuses such a token before this (claims); should it ever pass, its age is unknown
            LOG.info("Rejected a bearer token without a numeric iat claim");
            throw AuthMessages.tokenInvalid(TokenProblem.CLAIMS);
        }
        long issuedAt = iat.asLong();
        if (issuedAt > now + settings.clockSkew().toSeconds()) {
            LOG.infof("Rejected a bearer token issued %d s in the future (clock skew %d s)", issuedAt - now,
                    settings.clockSkew().toSeconds());
            throw AuthMessages.tokenInvalid(TokenProblem.NOT_YET_VALID);
        }
        if (settings.maxTokenAge().isPresent() && now - issuedAt > settings.maxTokenAge().get().toSeconds()) {
            LOG.infof("Rejected a bearer token issued %d s ago (gateway.auth.max-token-age %s)", now - issuedAt,
                    settings.maxTokenAge().get());
            throw AuthMessages.tokenInvalid(TokenProblem.TOO_OLD);
        }
    }

    /**
     * MicroProfile JWT defines {@code groups} as an array of strings. smallrye-jwt splits a string on spaces, which
     * would turn a group named "Domain Admins" into the groups "Domain" and "Admins"; such a token is refused, as is
     * an array holding anything but strings. The claim is read from the verified token's payload as sent, because
     * smallrye-jwt replaces it with its split form.
     */
    private void checkGroupsClaim(JsonNode claims) {
        JsonNode groups = claims;
        for (String segment : settings.groupsPath().split("/")) {
            groups = groups.path(segment);
        }
        if (groups.isMissingNode() || groups.isNull()) {
            return; // no groups: smallrye.jwt.claims.groups may supply them; without, the role check refuses
        }
        boolean arrayOfStrings = groups.isArray();
        for (JsonNode group : groups) {
            arrayOfStrings &= group.isTextual();
        }
        if (!arrayOfStrings) {
            LOG.infof("Rejected a bearer token whose %s claim is a %s, not an array of strings", settings.groupsPath(),
                    groups.getNodeType().name().toLowerCase(Locale.ROOT));
            throw AuthMessages.tokenInvalid(TokenProblem.GROUPS);
        }
    }

    /** The claims of a token whose signature was verified (so a well-formed JWS: header.payload.signature). */
    private static JsonNode payload(String rawToken) {
        try {
            String payload = rawToken.substring(rawToken.indexOf('.') + 1, rawToken.lastIndexOf('.'));
            return JSON.readTree(Base64.getUrlDecoder().decode(payload));
        } catch (IOException | RuntimeException e) {
            throw AuthMessages.tokenInvalid(TokenProblem.MALFORMED);
        }
    }

    /** Maps a verification failure to the answer; the order puts what a token refresh cannot fix first. */
    static VapiException rejection(Throwable failure) {
        InvalidJwtException invalid = cause(failure, InvalidJwtException.class);
        if (invalid != null) {
            if (has(invalid, ErrorCodes.SIGNATURE_INVALID, ErrorCodes.SIGNATURE_MISSING)) {
                return AuthMessages.tokenInvalid(TokenProblem.SIGNATURE);
            }
            if (has(invalid, ErrorCodes.ISSUER_INVALID, ErrorCodes.ISSUER_MISSING)) {
                return AuthMessages.tokenInvalid(TokenProblem.ISSUER);
            }
            if (has(invalid, ErrorCodes.AUDIENCE_INVALID, ErrorCodes.AUDIENCE_MISSING)) {
                return AuthMessages.tokenInvalid(TokenProblem.AUDIENCE);
            }
            if (has(invalid, ErrorCodes.NOT_YET_VALID, ErrorCodes.ISSUED_AT_INVALID_FUTURE)) {
                return AuthMessages.tokenInvalid(TokenProblem.NOT_YET_VALID);
            }
            if (invalid.hasExpired()) {
                return AuthMessages.tokenExpired();
            }
            if (has(invalid, ErrorCodes.MISCELLANEOUS, ErrorCodes.JSON_INVALID)) {
                return AuthMessages.tokenInvalid(TokenProblem.MALFORMED);
            }
            if (cause(invalid, UnresolvableKeyException.class) != null) {
                return AuthMessages.tokenInvalid(TokenProblem.UNKNOWN_KEY);
            }
            return AuthMessages.tokenInvalid(TokenProblem.CLAIMS);
        }
        if (cause(failure, UnresolvableKeyException.class) != null) {
            return AuthMessages.tokenInvalid(TokenProblem.UNKNOWN_KEY);
        }
        // smallrye-jwt's own checks (iat after exp, time-to-live or token age exceeded, required claims)
        return AuthMessages.tokenInvalid(TokenProblem.CLAIMS);
    }

    private static boolean has(InvalidJwtException e, int... codes) {
        for (int code : codes) {
            if (e.hasErrorCode(code)) {
                return true;
            }
        }
        return false;
    }

    private static <T extends Throwable> T cause(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }

    /** The deepest cause's class and message: key locations and I/O errors, never token content. */
    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    /** The first {@link Character#isWhitespace} character in {@code s[from, to)}, or -1. */
    private static int indexOfWhitespace(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            // nothing between ' ' (exclusive) and 0x80 is whitespace: the token's own characters skip the lookup
            if ((c <= ' ' || c >= 0x80) && Character.isWhitespace(c)) {
                return i;
            }
        }
        return -1;
    }
}
