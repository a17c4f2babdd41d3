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
import java.util.Base64;
import java.util.Set;
import org.jboss.logging.Logger;
import org.jose4j.jwt.consumer.InvalidJwtSignatureException;
import org.jose4j.lang.UnresolvableKeyException;

/**
 * Runs one token through the verifier while the gateway starts, on a worker thread, so that its first caller does
 * not pay for the first verification: loading and decoding the key, initializing the signature provider and
 * jose4j's classes took about a quarter of a second after "started" (bench/README.md, leg e's start).
 *
 * <p>The token is a throwaway: a well-formed compact JWS with empty claims and a signature of zeros, so it is
 * parsed, its key resolved and its signature checked, and it is rejected there; nothing is remembered and no
 * caller is involved. Only when tokens are checked with a local key: a JWKS URL would be fetched over the network
 * here, outside any request's deadline.
 *
 * <p>A key that cannot be used is said at startup, where an operator looks, not at every request: smallrye-jwt
 * reads a key file when it builds the verifier's settings, which this observer asks for, so a file that cannot be
 * read stops the start (its message names {@code mp.jwt.verify.publickey.location}; before, the gateway started and
 * answered every caller 500); a key read but not usable for the token (a JWK set without a matching key) is a WARN.
 */
@Singleton
class VerifierWarmup {

    private static final Logger LOG = Logger.getLogger(VerifierWarmup.class);
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    /** What the throwaway token showed about the verifier. */
    enum Outcome {
        /** parsed, key resolved, signature checked and refused: the whole path ran */
        SIGNATURE_CHECKED,
        /** the key could not be resolved: every bearer token will be refused until it can */
        KEY_UNRESOLVABLE,
        /** refused before its signature was checked (an algorithm no key here serves, for one) */
        REFUSED_EARLIER
    }

    /** The verifier's beans are looked up only when tokens are checked with a local key: nothing is built otherwise. */
    void onStart(@Observes StartupEvent startup, AuthStartupCheck check, Instance<JWTParser> parsers,
            Instance<JWTAuthContextInfo> settingsOfVerifier) {
        AuthSettings settings = check.settings();
        if (!settings.enforced() || settings.blockingVerification()) {
            return;
        }
        JWTParser parser = parsers.get();
        String algorithm = algorithm(settingsOfVerifier.get().getSignatureAlgorithm());
        Infrastructure.getDefaultWorkerPool().execute(() -> {
            long start = System.nanoTime();
            Outcome outcome = warm(parser, algorithm);
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            switch (outcome) {
                case SIGNATURE_CHECKED -> LOG.debugf("Token verifier ready (%s, %d ms)", algorithm, tookMs);
                case KEY_UNRESOLVABLE -> LOG.warn("No token verification key could be resolved at startup: every"
                        + " bearer token will be refused until it can. Check mp.jwt.verify.publickey.location (or"
                        + " mp.jwt.verify.publickey) and that the key is readable.");
                case REFUSED_EARLIER -> LOG.debugf("Token verifier warm-up refused its token before the signature"
                        + " check (%s, %d ms)", algorithm, tookMs);
            }
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
     * A compact JWS of this algorithm with empty claims and a signature of zeros as long as a real one (an RSA
     * verifier refuses a signature of the wrong length before its arithmetic): RS and PS of a 2048-bit key, ES of
     * its curve, HS of its hash.
     */
    static String throwawayToken(String algorithm) {
        String header = "{\"alg\":\"" + algorithm + "\",\"typ\":\"JWT\"}";
        return BASE64URL.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + BASE64URL.encodeToString("{}".getBytes(StandardCharsets.UTF_8)) + "."
                + BASE64URL.encodeToString(new byte[signatureLength(algorithm)]);
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
