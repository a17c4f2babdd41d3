package com.guestops.gateway.host;

import java.util.Optional;

/**
 * Guest authentication data of a terminate call ({@code vcenter.vm.guest.credentials}), already
 * validated: each variant carries exactly the secret its type requires.
 */
public sealed interface GuestCredentials {

    /** Guest user name; for SAML it is optional (the guest's alias mapping then decides). */
    Optional<String> userName();

    boolean interactiveSession();

    /** The secret this variant carries: never relayed back, even when a host echoes it. */
    Secret secret();

    /** {@code USERNAME_PASSWORD}. */
    record UsernamePassword(String user, Secret password, boolean interactiveSession) implements GuestCredentials {
        @Override
        public Optional<String> userName() {
            return Optional.ofNullable(user);
        }

        @Override
        public Secret secret() {
            return password;
        }
    }

    /** {@code SAML_BEARER_TOKEN}; an interactive session is not supported with it. */
    record SamlBearerToken(String user, Secret token) implements GuestCredentials {
        @Override
        public Optional<String> userName() {
            return Optional.ofNullable(user);
        }

        @Override
        public boolean interactiveSession() {
            return false;
        }

        @Override
        public Secret secret() {
            return token;
        }
    }
}
