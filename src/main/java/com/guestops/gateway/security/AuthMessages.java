package com.guestops.gateway.security;

import com.guestops.gateway.error.ErrorSource;
import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.error.GatewayMessages;
import com.guestops.gateway.error.VapiError;
import com.guestops.gateway.error.VapiException;
import java.util.Map;

/**
 * The gateway's own answers to callers that are not authenticated (401 {@code unauthenticated}) or not
 * allowed (403 {@code unauthorized}). Message ids start with {@value #PREFIX} so a caller can tell them
 * from a guest-credential failure reported by the host. Nothing here ever quotes the token.
 */
public final class AuthMessages {

    // the ids live in the one catalogue of the gateway's message ids
    public static final String PREFIX = GatewayMessages.AUTH;
    public static final String TOKEN_MISSING = GatewayMessages.AUTH_TOKEN_MISSING;
    public static final String TOKEN_INVALID = GatewayMessages.AUTH_TOKEN_INVALID;
    public static final String TOKEN_EXPIRED = GatewayMessages.AUTH_TOKEN_EXPIRED;
    public static final String ROLE_MISSING = GatewayMessages.AUTH_ROLE_MISSING;
    public static final String OUT_OF_SCOPE = GatewayMessages.AUTH_OUT_OF_SCOPE;
    public static final String CLIENT_CERTIFICATE_MISSING = GatewayMessages.AUTH_CLIENT_CERTIFICATE_MISSING;

    public static final String REALM = "guestops-gateway";
    /** RFC 6750 challenge for a request without a bearer token. */
    public static final String CHALLENGE = "Bearer realm=\"" + REALM + "\"";
    /** RFC 6750 challenge for a request whose bearer token was rejected. */
    public static final String CHALLENGE_INVALID_TOKEN = CHALLENGE + ", error=\"invalid_token\"";
    public static final String WWW_AUTHENTICATE = "WWW-Authenticate";

    /** Why a presented token was rejected: a fixed set, safe to echo (the tag is the message argument). */
    public enum TokenProblem {
        MALFORMED("malformed", "it is not a well-formed JWT signed with an accepted algorithm"),
        SIGNATURE("signature", "its signature does not verify"),
        UNKNOWN_KEY("unknown_key", "it is not signed by a trusted key"),
        ISSUER("issuer", "it was not issued by the trusted issuer"),
        AUDIENCE("audience", "it is not intended for this gateway (audience)"),
        NOT_YET_VALID("not_yet_valid", "it is not valid yet"),
        TOO_OLD("too_old", "it was issued longer ago than the maximum token age this gateway accepts"),
        GROUPS("groups", "its groups claim is not an array of strings"),
        CLAIMS("claims", "required claims are missing or malformed"),
        NO_SUBJECT("no_subject", "it has no subject (sub) claim");

        private final String tag;
        private final String explanation;

        TokenProblem(String tag, String explanation) {
            this.tag = tag;
            this.explanation = explanation;
        }

        public String tag() {
            return tag;
        }

        public String explanation() {
            return explanation;
        }
    }

    private AuthMessages() {
    }

    public static VapiException tokenMissing() {
        return unauthenticated(VapiError.of(ErrorType.UNAUTHENTICATED, TOKEN_MISSING,
                "This operation requires a bearer token (Authorization: Bearer <JWT>)."), CHALLENGE);
    }

    /**
     * A request that came without a verified TLS client certificate while they are required. No {@code WWW-Authenticate}
     * challenge: HTTP has no scheme for "present a certificate", the caller has to reconnect with one.
     */
    public static VapiException clientCertificateMissing() {
        return new VapiException(VapiError.of(ErrorType.UNAUTHENTICATED, CLIENT_CERTIFICATE_MISSING,
                "This operation requires a TLS client certificate issued by the certificate authority this gateway trusts"
                        + " for callers; connect over HTTPS and present one."), ErrorSource.GATEWAY, Map.of());
    }

    public static VapiException tokenExpired() {
        return unauthenticated(VapiError.of(ErrorType.UNAUTHENTICATED, TOKEN_EXPIRED,
                "The bearer token has expired."), CHALLENGE_INVALID_TOKEN);
    }

    public static VapiException tokenInvalid(TokenProblem problem) {
        return unauthenticated(VapiError.of(ErrorType.UNAUTHENTICATED, TOKEN_INVALID,
                "The bearer token is not valid: " + problem.explanation() + ".", problem.tag()), CHALLENGE_INVALID_TOKEN);
    }

    public static VapiException roleMissing(String subject, String role) {
        return VapiException.gateway(ErrorType.UNAUTHORIZED, ROLE_MISSING,
                "Caller " + subject + " does not have the role " + role + " required to terminate guest processes.",
                subject, role);
    }

    /** The same answer whether the VM pattern or the host denied, and whether the VM exists at all. */
    public static VapiException outOfScope(String subject, String vm) {
        return VapiException.gateway(ErrorType.UNAUTHORIZED, OUT_OF_SCOPE,
                "Caller " + subject + " may not terminate processes in virtual machine " + vm + ".", subject, vm);
    }

    private static VapiException unauthenticated(VapiError error, String challenge) {
        return new VapiException(error.withChallenge(challenge), ErrorSource.GATEWAY, Map.of(WWW_AUTHENTICATE, challenge));
    }
}
