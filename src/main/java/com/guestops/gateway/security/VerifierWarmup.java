package com.guestops.gateway.security;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Set;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;
import org.jose4j.jwt.consumer.InvalidJwtSignatureException;
import org.jose4j.lang.UnresolvableKeyException;

/**
 * Runs one token through the verifier while the gateway starts, on a worker thread, so that its first caller does
 * not pay for the first verification: jose4j's classes, the key resolver and the signature provider took about
 * 0.15 s of leg e's first request (bench/HISTORY.md).
 *
 * <p>The token is a throwaway: a well-formed compact JWS with empty claims and a signature of 0x01 bytes (not
 * zeros: jose4j and {@code BigInteger} skip the arithmetic for a zero signature, which would leave it cold), so it
 * is parsed, its key resolved and its signature computed and refused; nothing is remembered and no caller is
 * involved. Only with a local key: a JWKS URL would be fetched over the network here, outside any request.
 * Whatever happens to the throwaway token is logged at DEBUG only: it carries no {@code kid}, so a JWK set of
 * several keys finds none for it although real tokens verify (an unreadable key file stops the start earlier,
 * in {@link AuthStartupCheck}).
 */
@Singleton
class VerifierWarmup {

    private static final Logger LOG = Logger.getLogger(VerifierWarmup.class);
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    /** How far the throwaway token went. */
    enum Outcome {
        /** parsed, key resolved, signature checked and refused: the whole path ran */
        SIGNATURE_CHECKED,
        /** no key was found for it (a JWK set of several keys: it names none) */
        KEY_UNRESOLVABLE,
        /** refused before its signature was checked (an algorithm no key here serves, for one) */
        REFUSED_EARLIER
    }

    /** The verifier's beans are looked up only when tokens are checked with a local key: nothing is built otherwise. */
    void onStart(@Observes StartupEvent startup, AuthStartupCheck check, Config config, Instance<JWTParser> parsers,
            Instance<JWTAuthContextInfo> settingsOfVerifier) {
        if (!check.settings().enforced() || VerificationKeys.from(config).remote()) {
            return;
        }
        JWTParser parser = parsers.get();
        String algorithm = algorithm(settingsOfVerifier.get().getSignatureAlgorithm());
        Infrastructure.getDefaultWorkerPool().execute(() -> {
            long start = System.nanoTime();
            Outcome outcome = warm(parser, algorithm);
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            LOG.debugf("Token verifier warm-up: %s (%s, %d ms)", outcome, algorithm, tookMs);
        });
    }

    /** Verifies the throwaway token of this algorithm once; never throws. */
    static Outcome warm(JWTParser parser, String algorithm) {
        try {
            parser.parse(throwawayToken(algorithm));
        } catch (ParseException refused) {
            if (causedBy(refused, UnresolvableKeyException.class)) {
                return Outcome.KEY_UNRESOLVABLE;
            }
            if (causedBy(refused, InvalidJwtSignatureException.class)) {
                return Outcome.SIGNATURE_CHECKED;
            }
        } catch (RuntimeException unexpected) {
            LOG.debug("Token verifier warm-up failed", unexpected);
        }
        return Outcome.REFUSED_EARLIER;
    }

    /**
     * A compact JWS of this algorithm with empty claims and a signature as long as a real one (an RSA verifier
     * refuses a signature of the wrong length before its arithmetic): RS and PS of a 2048-bit key, ES of its curve,
     * HS of its hash, EdDSA of Ed25519. Its bytes are 0x01: not zero, and below every RSA modulus of that length
     * and every curve order, so the verifier computes before it refuses.
     */
    static String throwawayToken(String algorithm) {
        String header = "{\"alg\":\"" + algorithm + "\",\"typ\":\"JWT\"}";
        byte[] signature = new byte[signatureLength(algorithm)];
        Arrays.fill(signature, (byte) 1);
        return BASE64URL.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + BASE64URL.encodeToString("{}".getBytes(StandardCharsets.UTF_8)) + "."
                + BASE64URL.encodeToString(signature);
    }

    private static int signatureLength(String algorithm) {
        return switch (algorithm) {
            case "HS256" -> 32;
            case "HS384" -> 48;
            case "ES256", "EdDSA", "HS512" -> 64;
            case "ES384" -> 96;
            case "ES512" -> 132;
            default -> 256; // RS256/384/512, PS256/384/512
        };
    }

    /** The first algorithm the verifier accepts (smallrye-jwt's default: RS256). */
    private static String algorithm(Set<SignatureAlgorithm> accepted) {
        return accepted == null || accepted.isEmpty() ? SignatureAlgorithm.RS256.getAlgorithm()
                : accepted.iterator().next().getAlgorithm();
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }
}
