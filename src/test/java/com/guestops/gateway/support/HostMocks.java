package com.guestops.gateway.support;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.common.ConsoleNotifier;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.smallrye.certs.CertificateGenerator;
import io.smallrye.certs.CertificateRequest;
import io.smallrye.certs.Format;
import io.smallrye.certs.PemCertificateFiles;
import io.smallrye.certs.Pkcs12CertificateFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One WireMock server on loopback that plays every real host of the test configuration (vim25 and
 * vapi over http, vim25 over https with a self-signed certificate generated here), started once
 * for the whole test run: it is registered with global scope, so all {@code @QuarkusTest} classes share
 * one set of test resources and one Quarkus boot.
 *
 * <p>It hands Quarkus the dynamic values that {@code %test.*} entries of {@code application.properties}
 * refer to. Tests reach the server through its admin API ({@link HostMockServer}), which works
 * whatever class loader the test runs in.
 */
public class HostMocks implements QuarkusTestResourceLifecycleManager {

    public static final String HTTP_PORT = "test.host-mocks.http-port";
    public static final String HTTPS_PORT = "test.host-mocks.https-port";
    private static final String CLOSED_PORT = "test.host-mocks.closed-port";
    private static final String TLS_CERT = "test.host-mocks.tls-cert";
    private static final String RAW_PORT = "test.host-mocks.raw-port";

    private WireMockServer server;
    private RawHost raw;
    private Path certificates;

    @Override
    public Map<String, String> start() {
        try {
            certificates = Files.createTempDirectory("host-mocks-tls");
            // a self-signed certificate for CN=localhost, SAN DNS:localhost + IP:127.0.0.1, valid 2 days
            var files = new CertificateGenerator(certificates, true).generate(new CertificateRequest()
                    .withName("host-mock")
                    .withFormats(List.of(Format.PKCS12, Format.PEM))
                    .withPassword("host-mock-keystore")
                    .withDuration(Duration.ofDays(2)));
            Pkcs12CertificateFiles keystore = files.stream().filter(Pkcs12CertificateFiles.class::isInstance)
                    .map(Pkcs12CertificateFiles.class::cast).findFirst().orElseThrow();
            PemCertificateFiles pem = files.stream().filter(PemCertificateFiles.class::isInstance)
                    .map(PemCertificateFiles.class::cast).findFirst().orElseThrow();

            server = new WireMockServer(options()
                    .bindAddress("127.0.0.1")
                    .dynamicPort()
                    .dynamicHttpsPort()
                    .keystorePath(keystore.keyStoreFile().toString())
                    .keystoreType("PKCS12")
                    .keystorePassword("host-mock-keystore")
                    .keyManagerPassword("host-mock-keystore")
                    // not the slf4j notifier: an unmatched request would be logged with its body (a password)
                    .notifier(new ConsoleNotifier(false))
                    .containerThreads(40));
            server.start();
            HostMockServer.discoverableVcenter(new com.github.tomakehurst.wiremock.client.WireMock("127.0.0.1", server.port()));
            raw = new RawHost();
            return Map.of(
                    RAW_PORT, Integer.toString(raw.port()),
                    HTTP_PORT, Integer.toString(server.port()),
                    HTTPS_PORT, Integer.toString(server.httpsPort()),
                    CLOSED_PORT, Integer.toString(closedPort()),
                    TLS_CERT, pem.certFile().toString());
        } catch (Exception e) {
            throw new IllegalStateException("Cannot start the host mocks", e);
        }
    }

    /** A loopback port nothing listens on: connecting to it is refused. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop();
        }
        if (raw != null) {
            try {
                raw.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (certificates != null) {
            try (var paths = Files.walk(certificates)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
