package com.guestops.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.guestops.gateway.support.TestTokens;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.util.KeyUtils;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Set;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The start-up token runs smallrye-jwt's whole verification path, up to and including the signature check, for
 * each kind of key the gateway can be given, and tells an unresolvable key apart.
 */
class VerifierWarmupTest {

    @Test
    void reachesTheSignatureCheckWithTheConfiguredRsaKey() throws Exception {
        JWTAuthContextInfo info = new JWTAuthContextInfo(KeyUtils.readPublicKey("auth/test-public.pem"), TestTokens.ISSUER);
        info.setExpectedAudience(Set.of(TestTokens.AUDIENCE));

        assertThat(VerifierWarmup.warm(new DefaultJWTParser(info), "RS256"))
                .isEqualTo(VerifierWarmup.Outcome.SIGNATURE_CHECKED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ES256", "ES384", "ES512"})
    void reachesTheSignatureCheckWithAnEcKey(String algorithm) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec(switch (algorithm) {
            case "ES256" -> "secp256r1";
            case "ES384" -> "secp384r1";
            default -> "secp521r1";
        }));
        JWTAuthContextInfo info = new JWTAuthContextInfo(generator.generateKeyPair().getPublic(), TestTokens.ISSUER);
        info.setSignatureAlgorithm(Set.of(SignatureAlgorithm.fromAlgorithm(algorithm)));

        assertThat(VerifierWarmup.warm(new DefaultJWTParser(info), algorithm))
                .isEqualTo(VerifierWarmup.Outcome.SIGNATURE_CHECKED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"HS256", "HS384", "HS512"})
    void reachesTheSignatureCheckWithASecretKey(String algorithm) {
        JWTAuthContextInfo info = new JWTAuthContextInfo(new SecretKeySpec(new byte[64], "HmacSHA256"), TestTokens.ISSUER);
        info.setSignatureAlgorithm(Set.of(SignatureAlgorithm.fromAlgorithm(algorithm)));

        assertThat(VerifierWarmup.warm(new DefaultJWTParser(info), algorithm))
                .isEqualTo(VerifierWarmup.Outcome.SIGNATURE_CHECKED);
    }

    @Test
    void saysWhenTheKeyCannotBeResolved() {
        JWTAuthContextInfo info = new JWTAuthContextInfo();
        info.setPublicKeyLocation("auth/no-such-key.pem");
        info.setIssuedBy(TestTokens.ISSUER);

        assertThat(VerifierWarmup.warm(new DefaultJWTParser(info), "RS256"))
                .isEqualTo(VerifierWarmup.Outcome.KEY_UNRESOLVABLE);
    }

    @Test
    void tellsATokenRefusedBeforeItsSignatureApart() throws Exception {
        // the verifier only accepts ES256: an RS256 token never reaches the signature check
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        JWTAuthContextInfo info = new JWTAuthContextInfo(generator.generateKeyPair().getPublic(), TestTokens.ISSUER);
        info.setSignatureAlgorithm(Set.of(SignatureAlgorithm.ES256));

        assertThat(VerifierWarmup.warm(new DefaultJWTParser(info), "RS256"))
                .isEqualTo(VerifierWarmup.Outcome.REFUSED_EARLIER);
    }
}
