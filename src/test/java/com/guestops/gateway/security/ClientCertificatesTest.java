package com.guestops.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.error.VapiException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The mutual-TLS rule, for configurations the shared (plain HTTP) test boot cannot have; end to end over HTTPS with real
 * certificates it runs in deploy/HttpsRenderedConfigIT.
 */
class ClientCertificatesTest {

    @Test
    void requiredButNeverAskedForRefusesToStart() {
        for (String none : new String[] {"none", "NONE", " none "}) {
            assertThatThrownBy(() -> new ClientCertificates(true, none))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("gateway.auth.client-certificate-required=true")
                    .hasMessageContaining("quarkus.http.tls-client-auth=request");
        }
    }

    @Test
    void aRequestWithoutACertificateIsRefused401WhenRequired() {
        ClientCertificates required = new ClientCertificates(true, "request");
        assertThat(required.required()).isTrue();
        assertThatThrownBy(() -> required.check(false).await().atMost(Duration.ofSeconds(1)))
                .isInstanceOfSatisfying(VapiException.class, e -> {
                    assertThat(e.error().type()).isEqualTo(ErrorType.UNAUTHENTICATED);
                    assertThat(e.error().messages().get(0).id()).isEqualTo(AuthMessages.CLIENT_CERTIFICATE_MISSING)
                            .isEqualTo("com.guestops.gateway.auth.client_certificate_missing");
                    assertThat(e.headers()).as("no Bearer challenge: a token would not help").isEmpty();
                });
        required.check(true).await().atMost(Duration.ofSeconds(1));
        // tls-client-auth=required also works (the TLS layer then refuses certificate-less handshakes itself)
        new ClientCertificates(true, "required").check(true).await().atMost(Duration.ofSeconds(1));
    }

    @Test
    void notRequiredLetsEveryRequestThrough() {
        ClientCertificates optional = new ClientCertificates(false, "none");
        assertThat(optional.required()).isFalse();
        optional.check(false).await().atMost(Duration.ofSeconds(1));
    }
}
