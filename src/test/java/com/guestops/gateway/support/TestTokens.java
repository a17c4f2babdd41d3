package com.guestops.gateway.support;

import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;
import io.smallrye.jwt.util.KeyUtils;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.util.Set;

/**
 * Bearer tokens for tests, signed with the test key {@code auth/test-private.pem}; the test profile
 * verifies with {@code auth/test-public.pem}, issuer {@value #ISSUER} and audience {@value #AUDIENCE}.
 */
public final class TestTokens {

    public static final String ISSUER = "https://issuer.test.guestops.example";
    public static final String AUDIENCE = "guestops-gateway";
    public static final String ROLE = "guestops.terminate";
    /** Subject of the token every test sends by default (see {@link VapiCall}). */
    public static final String SUITE_SUBJECT = "test-suite";
    /** Group that the last, catch-all scoping rule of the test profile applies to. */
    public static final String SUITE_GROUP = "guestops-test-suite";

    private static final PrivateKey KEY = load();
    private static volatile String suite;

    private TestTokens() {
    }

    /** A valid token for {@value #SUITE_SUBJECT} with the required role, minted once (valid for a day). */
    public static String suite() {
        String token = suite;
        if (token == null) {
            long now = now();
            token = sign(claims(SUITE_SUBJECT, ROLE, SUITE_GROUP).issuedAt(now).expiresAt(now + 86_400));
            suite = token;
        }
        return token;
    }

    /** Valid claims (issuer, audience, iat now, exp in 10 minutes) for {@code subject} with {@code groups}. */
    public static JwtClaimsBuilder claims(String subject, String... groups) {
        long now = now();
        return Jwt.issuer(ISSUER).audience(AUDIENCE).subject(subject).groups(Set.of(groups))
                .issuedAt(now).expiresAt(now + 600);
    }

    /** A valid token for {@code subject} with {@code groups}. */
    public static String token(String subject, String... groups) {
        return sign(claims(subject, groups));
    }

    public static String sign(JwtClaimsBuilder claims) {
        return claims.jws().keyId("test").sign(KEY);
    }

    /** Signs these claims exactly as given (no claim added, not even {@code iat}), with the trusted test key. */
    public static String signRaw(String claimsJson) {
        try {
            org.jose4j.jws.JsonWebSignature jws = new org.jose4j.jws.JsonWebSignature();
            jws.setPayload(claimsJson);
            jws.setKey(KEY);
            jws.setKeyIdHeaderValue("test");
            jws.setAlgorithmHeaderValue(org.jose4j.jws.AlgorithmIdentifiers.RSA_USING_SHA256);
            return jws.getCompactSerialization();
        } catch (org.jose4j.lang.JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Signs with a freshly generated key the gateway does not trust. */
    public static String signWithUntrustedKey(JwtClaimsBuilder claims) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return claims.jws().keyId("test").sign(generator.generateKeyPair().getPrivate());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static long now() {
        return System.currentTimeMillis() / 1000;
    }

    private static PrivateKey load() {
        try {
            return KeyUtils.readPrivateKey("auth/test-private.pem");
        } catch (Exception e) {
            throw new IllegalStateException("Cannot read the test signing key auth/test-private.pem", e);
        }
    }
}
