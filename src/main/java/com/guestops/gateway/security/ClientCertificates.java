package com.guestops.gateway.security;

import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Locale;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * Mutual TLS toward callers ({@code gateway.auth.client-certificate-required}, docs/security.md "Client certificates").
 *
 * <p>The TLS layer does the cryptography: with {@code quarkus.http.tls-client-auth=request} and the callers' CA as the
 * trust store of the HTTP server's TLS configuration, a certificate another CA issued ends the handshake (there is no
 * HTTP exchange to answer), and a connection without a certificate is accepted. The gateway then refuses every terminate
 * request of such a connection itself, in the vAPI shape, counted and audited like every other refusal: the difference
 * from {@code tls-client-auth=required} (which would end those handshakes too) is that the caller learns why. Health,
 * metrics (management port) and the OpenAPI document need no certificate.
 *
 * <p>The certificate authenticates the connection; the caller's identity and scope still come from its bearer token
 * when tokens are enforced. A certificate carries no roles, so it is not mapped to a caller of the scoping rules.
 */
@Singleton
public class ClientCertificates {

    private static final Logger LOG = Logger.getLogger(ClientCertificates.class);
    static final String CLIENT_AUTH_PROPERTY = "quarkus.http.tls-client-auth";

    private final boolean required;

    @Inject
    public ClientCertificates(AuthConfig auth, Config config) {
        this(auth.clientCertificateRequired(), config.getOptionalValue(CLIENT_AUTH_PROPERTY, String.class).orElse("none"));
    }

    ClientCertificates(boolean required, String serverClientAuth) {
        this.required = required;
        if (required && "none".equals(serverClientAuth.trim().toLowerCase(Locale.ROOT))) {
            throw new IllegalStateException("gateway.auth.client-certificate-required=true, but the HTTP server does not ask"
                    + " callers for certificates, so every request would be refused. Set quarkus.http.tls-client-auth=request"
                    + " and the callers' CA as trust store of the HTTP server's TLS configuration"
                    + " (quarkus.tls.<name>.trust-store.pem.certs, quarkus.http.tls-configuration-name); see docs/security.md.");
        }
        if (required) {
            LOG.infof("Callers must present a TLS client certificate of the trusted CA (%s=%s)", CLIENT_AUTH_PROPERTY,
                    serverClientAuth);
        }
    }

    public boolean required() {
        return required;
    }

    /**
     * @param verifiedCertificate whether the request's connection is TLS and the caller presented a certificate the
     *                            TLS layer verified
     * @return a failure with 401 {@code unauthenticated} when a certificate is required and there is none
     */
    public Uni<Void> check(boolean verifiedCertificate) {
        if (!required || verifiedCertificate) {
            return Uni.createFrom().voidItem();
        }
        LOG.debug("Refused a request without a TLS client certificate");
        return Uni.createFrom().failure(AuthMessages.clientCertificateMissing());
    }
}
