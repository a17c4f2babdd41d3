package com.guestops.gateway.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * What a bearer token verified to, remembered for the token's own lifetime at most, for a bounded number of tokens.
 *
 * <p>A caller sends the same token with every request until it expires, and verifying its signature (an RSA or
 * ECDSA verification, or a hop to a worker thread when the key comes from a JWKS URL) is most of what
 * authenticating a request costs. A token seen again is answered from here: same bytes, same signature, same
 * claims, so the same caller. Only successful verifications are kept; an entry is never used past the token's
 * {@code exp} (nor past {@code iat} + {@code gateway.auth.max-token-age}), read against the wall clock on every use.
 *
 * <p>Tokens are keyed by their SHA-256, so no token is kept in memory. Only tokens that passed the header's syntax
 * check (no whitespace inside) are remembered, so a token found here needs no second look at its characters. As with
 * any bearer token, one verified before its key was withdrawn (a JWKS rotation) stays accepted until it expires: keep
 * token lifetimes short.
 */
final class VerifiedTokens {

    /** A verified caller and the wall-clock instant (epoch milliseconds) after which its token is no longer accepted. */
    private record Entry(CallerIdentity caller, long expiresAtMillis) {
    }

    private final Cache<ByteBuffer, Entry> cache;
    private final LongSupplier wallClockMillis;

    /** @param maxSize how many tokens to remember; 0: none (every request verifies its token) */
    VerifiedTokens(int maxSize, LongSupplier wallClockMillis) {
        this.wallClockMillis = wallClockMillis;
        this.cache = maxSize <= 0 ? null : Caffeine.newBuilder()
                .maximumSize(maxSize)
                // evicted once the token has expired; the wall-clock check in caller() is what guarantees it is never used after
                .expireAfter(Expiry.writing((ByteBuffer key, Entry entry) ->
                        Duration.ofMillis(Math.max(0, entry.expiresAtMillis - wallClockMillis.getAsLong()))))
                // maintenance on the calling thread: no task handed to the common pool per request
                .executor(Runnable::run)
                .build();
    }

    static VerifiedTokens none() {
        return new VerifiedTokens(0, System::currentTimeMillis);
    }

    /** The caller this token verified to earlier, or null (never seen, forgotten, or expired since). */
    CallerIdentity caller(String token) {
        if (cache == null) {
            return null;
        }
        Entry entry = cache.getIfPresent(key(token));
        return entry != null && wallClockMillis.getAsLong() < entry.expiresAtMillis ? entry.caller : null;
    }

    /** Remembers a token that was just verified, until {@code expiresAtMillis} at most. */
    void remember(String token, CallerIdentity caller, long expiresAtMillis) {
        if (cache != null && expiresAtMillis > wallClockMillis.getAsLong()) {
            cache.put(key(token), new Entry(caller, expiresAtMillis));
        }
    }

    long size() {
        return cache == null ? 0 : cache.estimatedSize();
    }

    /**
     * One digest per thread, reused ({@code digest()} resets it): looking SHA-256 up among the security providers for
     * every request was 6 % of the event loops' samples with authentication on (bench/HISTORY.md).
     */
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
        }
    });

    /**
     * The token's exact characters: UTF-8 gives every string its own bytes (but for lone surrogates, which a header
     * value read off the wire never holds), where US-ASCII wrote every other character as {@code ?}, so tokens
     * differing only there shared an entry; for the ASCII of a JWT the bytes are the same.
     */
    private static ByteBuffer key(String token) {
        return ByteBuffer.wrap(SHA_256.get().digest(token.getBytes(StandardCharsets.UTF_8)));
    }
}
