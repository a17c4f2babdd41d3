package com.guestops.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.error.VapiException;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The mutual-TLS rule, for configurations the shared (plain HTTP) test boot cannot have; end to end over HTTPS with real
 * certificates it runs in deploy/HttpsRenderedConfigIT.
 */
class ClientCertificatesTest {

    @Test
    void requiredWithoutHttpsOrWithoutTheCallersCaRefusesToStart() {
        assertThatThrownBy(() -> new ClientCertificates(true, Optional.empty(), false))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("gateway.auth.client-certificate-required=true")
                .hasMessageContaining("quarkus.http.tls-configuration-name");
        // no trust store: the JDK's default one would accept any public CA's certificate
        assertThatThrownBy(() -> new ClientCertificates(true, Optional.of("https"), false))
                .hasMessageContaining("trust-store");
    }

    @Test
    void requiredTheHttpsServerAsksForCertificatesAndARequestWithoutOneIsRefused401() {
        ClientCertificates required = new ClientCertificates(true, Optional.of("https"), true);
        assertThat(required.required()).isTrue();
        HttpServerOptions https = new HttpServerOptions();
        required.customizeHttpsServer(https);
        assertThat(https.getClientAuth()).isEqualTo(ClientAuth.REQUEST);
        HttpServerOptions strict = new HttpServerOptions().setClientAuth(ClientAuth.REQUIRED);
        required.customizeHttpsServer(strict);
        assertThat(strict.getClientAuth()).as("a stricter build-time setting is kept").isEqualTo(ClientAuth.REQUIRED);

        assertThatThrownBy(() -> required.check(false))
                .isInstanceOfSatisfying(VapiException.class, e -> {
                    assertThat(e.error().type()).isEqualTo(ErrorType.UNAUTHENTICATED);
                    assertThat(e.error().messages().get(0).id()).isEqualTo(AuthMessages.CLIENT_CERTIFICATE_MISSING)
                            .isEqualTo("com.guestops.gateway.auth.client_certificate_missing");
                    assertThat(e.headers()).as("no Bearer challenge: a token would not help").isEmpty();
                });
        required.check(true);
    }

    @Test
    void notRequiredLetsEveryRequestThroughAndAsksForNothing() {
        ClientCertificates optional = new ClientCertificates(false, Optional.empty(), false);
        assertThat(optional.required()).isFalse();
        optional.check(false);
        HttpServerOptions https = new HttpServerOptions();
        optional.customizeHttpsServer(https);
        assertThat(https.getClientAuth()).isEqualTo(ClientAuth.NONE);
    }
}
