package com.guestops.gateway.security;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;

/**
 * What the MicroProfile JWT configuration says about the token verification key, read from the standard
 * properties. {@code NONE} counts as unset (it is smallrye-jwt's own "not configured" value, and what
 * Quarkus writes when it generates development keys is never read here: see application.properties).
 *
 * @param configured  a public key, a key/JWKS location or a secret key is configured
 * @param location    where the key comes from (a property name and, for locations, its value), for messages
 * @param remote      the key is fetched over HTTP(S) (a JWKS endpoint): verification may block on I/O
 * @param issuer      {@code mp.jwt.verify.issuer}, if set
 * @param audiences   {@code mp.jwt.verify.audiences}, if set
 */
public record VerificationKeys(boolean configured, String location, boolean remote, Optional<String> issuer,
        Optional<String> audiences) {

    /** The properties that configure a verification key, in the order they are reported. */
    static final List<String> KEY_PROPERTIES = List.of(
            "mp.jwt.verify.publickey.location",
            "mp.jwt.verify.publickey",
            "smallrye.jwt.verify.key.location",
            "smallrye.jwt.verify.secretkey");

    public static VerificationKeys from(Config config) {
        String location = null;
        boolean remote = false;
        for (String property : KEY_PROPERTIES) {
            Optional<String> value = value(config, property);
            if (value.isPresent()) {
                boolean isLocation = property.endsWith(".location");
                location = isLocation ? property + "=" + value.get() : property;
                remote = isLocation && value.get().toLowerCase(Locale.ROOT).startsWith("http");
                break;
            }
        }
        return new VerificationKeys(location != null, location, remote,
                value(config, "mp.jwt.verify.issuer"), value(config, "mp.jwt.verify.audiences"));
    }

    private static Optional<String> value(Config config, String property) {
        return config.getOptionalValue(property, String.class)
                .map(String::trim)
                .filter(v -> !v.isEmpty() && !v.equals("NONE"));
    }
}
