package com.guestops.gateway.security;

import com.guestops.gateway.error.VapiException;
import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Optional;
import java.util.stream.StreamSupport;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * Mutual TLS toward callers ({@code gateway.auth.client-certificate-required}, docs/security.md "Client certificates").
 *
 * <p>The TLS layer does the cryptography: this class has the HTTPS server ask every client for a certificate
 * ({@link ClientAuth#REQUEST}) and verify one it presents against the trust store of the server's TLS configuration,
 * the callers' CA. A certificate another CA issued ends the handshake (there is no HTTP exchange to answer); a connection
 * without one is accepted, and the gateway then refuses each of its terminate requests itself, in the vAPI shape, counted
 * and audited like every other refusal: unlike {@link ClientAuth#REQUIRED}, which would end those handshakes too, the
 * caller learns why. Health, metrics (management port) and the OpenAPI document need no certificate.
 *
 * <p>Why here and not {@code quarkus.http.tls-client-auth}: that property is fixed when the application is built, and
 * certificates are a deployment's choice. The certificate authenticates the connection; the caller's identity and scope
 * still come from its bearer token when tokens are enforced. A certificate carries no roles, so its subject is not
 * mapped to a caller of the scoping rules.
 */
@Singleton
public class ClientCertificates implements HttpServerOptionsCustomizer {

    private static final Logger LOG = Logger.getLogger(ClientCertificates.class);
    static final String TLS_CONFIGURATION_PROPERTY = "quarkus.http.tls-configuration-name";

    private final boolean required;

    @Inject
    public ClientCertificates(AuthConfig auth, Config config) {
        this(auth.clientCertificateRequired(), config.getOptionalValue(TLS_CONFIGURATION_PROPERTY, String.class),
                hasTrustStore(config, config.getOptionalValue(TLS_CONFIGURATION_PROPERTY, String.class)));
    }

    /**
     * @param tlsConfiguration the HTTP server's TLS configuration ({@code quarkus.http.tls-configuration-name})
     * @param trustStore       whether that configuration has a trust store (the callers' CA)
     */
    ClientCertificates(boolean required, Optional<String> tlsConfiguration, boolean trustStore) {
        this.required = required;
        if (!required) {
            return;
        }
        if (tlsConfiguration.isEmpty() || !trustStore) {
            // without a trust store of its own the JDK's default one would verify callers' certificates: any
            // certificate of a public CA would pass
            throw new IllegalStateException("gateway.auth.client-certificate-required=true needs HTTPS with the callers' CA"
                    + " as trust store: set " + TLS_CONFIGURATION_PROPERTY + " to a TLS configuration with a key store"
                    + " (the server certificate) and a trust store (quarkus.tls.<name>.trust-store.pem.certs); see"
                    + " docs/security.md, \"Client certificates\".");
        }
        LOG.infof("Callers must present a TLS client certificate of the CA in the trust store of TLS configuration '%s'",
                tlsConfiguration.get());
    }

    public boolean required() {
        return required;
    }

    /** The HTTPS server asks for client certificates (the plain HTTP server cannot; its requests are refused below). */
    @Override
    public void customizeHttpsServer(HttpServerOptions options) {
        if (required && options.getClientAuth() == ClientAuth.NONE) {
            options.setClientAuth(ClientAuth.REQUEST);
        }
    }

    /**
     * @param verifiedCertificate whether the request's connection is TLS and the caller presented a certificate the
     *                            TLS layer verified
     * @throws VapiException 401 {@code unauthenticated} when a certificate is required and there is none
     */
    public void check(boolean verifiedCertificate) {
        if (!required || verifiedCertificate) {
            return;
        }
        LOG.debug("Refused a request without a TLS client certificate");
        throw AuthMessages.clientCertificateMissing();
    }

    private static boolean hasTrustStore(Config config, Optional<String> name) {
        String prefix = name.map(n -> "quarkus.tls." + n + ".trust-store.").orElse("quarkus.tls.trust-store.");
        return StreamSupport.stream(config.getPropertyNames().spliterator(), false).anyMatch(p -> p.startsWith(prefix));
    }
}
