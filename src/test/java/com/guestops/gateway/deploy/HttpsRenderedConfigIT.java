package com.guestops.gateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.guestops.gateway.support.TestPki;
import com.guestops.gateway.support.TestTokens;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's HTTPS mode ({@code tls.enabled}, {@code tls.clientAuth.enabled}: values-app-tls.yaml), loaded by the real,
 * packaged application started as the pod starts it ({@link PackagedApp}). The files of the certificate Secret and the
 * callers' CA ConfigMap are written where the pod mounts them; the certificates are made here ({@link TestPki}).
 *
 * <p>Callers get HTTPS only, and must present a client certificate of the callers' CA besides their bearer token;
 * health and metrics answer on the management port only; the HTTP edge's guards hold over TLS; a renewed certificate is
 * served without a restart.
 */
class HttpsRenderedConfigIT {

    static final String API = "/api/vcenter/vm/vm-1/guest/processes/1000?action=delete";
    static final String REST = "/rest/vcenter/vm/vm-1/guest/processes/1000?action=delete";

    @TempDir
    static Path workDir;

    static TestPki servers;
    static TestPki callers;
    static TestPki.Issued caller;
    static PackagedApp app;

    @BeforeAll
    static void start() throws Exception {
        Charts.Rendered rendered = Charts.template("it", "guestops", Charts.VALUES.resolve("values-app-tls.yaml"));
        JsonNode container = rendered.container();
        JsonNode pod = rendered.one("Deployment").at("/spec/template/spec");
        // what the pod mounts: the certificate Secret and the callers' CA ConfigMap, read only
        assertThat(HelmChartTest.mountPath(container, "tls-server")).isEqualTo("/deployments/tls-server");
        assertThat(HelmChartTest.volume(pod, "tls-server").at("/secret/secretName").asText()).isEqualTo("guestops-gateway-tls");
        assertThat(HelmChartTest.mountPath(container, "tls-client-ca")).isEqualTo("/deployments/tls-client-ca");
        assertThat(HelmChartTest.volume(pod, "tls-client-ca").at("/configMap/name").asText()).isEqualTo("guestops-callers-ca");

        servers = TestPki.ca("servers");
        callers = TestPki.ca("callers");
        caller = callers.client("svc-reaper");
        servers.server("guestops-gateway").writeTo(workDir.resolve("tls-server"));
        callers.writeCaTo(workDir.resolve("tls-client-ca"));

        app = PackagedApp.start(rendered, workDir);
        app.awaitReady();
        app.tls(clientContext(caller));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (app != null) {
            app.close();
        }
    }

    /** Trusts the gateway's CA; presents {@code client} (none when null). */
    static SSLContext clientContext(TestPki.Issued client) {
        return TestPki.context(servers, client);
    }

    @Test
    void callersGetHttpsOnlyAndHealthAndMetricsAnswerOnTheManagementPortOnly() throws Exception {
        assertThat(app.https).isTrue();
        assertThatThrownBy(() -> new Socket("127.0.0.1", app.port).close()).as("no plain HTTP port")
                .isInstanceOf(ConnectException.class);
        assertThat(app.management("/q/health/ready").statusCode()).isEqualTo(200);
        assertThat(app.management("/q/health/live").statusCode()).isEqualTo(200);
        assertThat(app.management("/q/metrics").body()).contains("# TYPE ", "guestops_http_connections");
        for (String path : List.of("/q/health/ready", "/q/health/live", "/q/metrics")) {
            assertThat(app.get(path).statusCode()).as(path).isEqualTo(404);
        }
        // the contract needs no client certificate
        app.tls(clientContext(null));
        try {
            assertThat(app.get("/q/openapi").statusCode()).isEqualTo(200);
        } finally {
            app.tls(clientContext(caller));
        }
    }

    @Test
    void aCallerWithACertificateOfTheCallersCaAndATokenTerminates() throws Exception {
        assertThat(app.post(API).statusCode()).isEqualTo(204);
        assertThat(app.post(REST).statusCode()).isEqualTo(200);
        // HTTP/1.1 too (the client above negotiates HTTP/2 through ALPN)
        HttpClient http11 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(15))
                .sslContext(clientContext(caller)).build();
        HttpRequest request = app.terminate(API, TestTokens.suite(), Map.of()).build();
        HttpResponse<String> answer = http11.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(answer.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(answer.statusCode()).isEqualTo(204);
        // the certificate authenticates the connection, the token still names the caller
        HttpResponse<String> noToken = app.post(API, null);
        assertThat(noToken.statusCode()).isEqualTo(401);
        assertThat(noToken.body()).contains("com.guestops.gateway.auth.token_missing");
    }

    @Test
    void aCallerWithoutACertificateIsRefusedInTheVapiShape() throws Exception {
        app.tls(clientContext(null));
        try {
            HttpResponse<String> modern = app.post(API);
            assertThat(modern.statusCode()).isEqualTo(401);
            assertThat(modern.body()).contains("\"error_type\":\"UNAUTHENTICATED\"",
                    "com.guestops.gateway.auth.client_certificate_missing");
            HttpResponse<String> legacy = app.post(REST);
            assertThat(legacy.statusCode()).isEqualTo(401);
            assertThat(legacy.body()).contains("com.vmware.vapi.std.errors.unauthenticated",
                    "com.guestops.gateway.auth.client_certificate_missing");
        } finally {
            app.tls(clientContext(caller));
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(app.output())
                .contains("\"outcome\":\"unauthenticated\""));
    }

    /**
     * A certificate of another CA: the server names the callers' CA in its certificate request, so a client that only
     * offers matching certificates (the JDK's) presents none and gets the vAPI 401. A client that presents it anyway never
     * gets as far as HTTP: the TLS layer, which verifies it against the callers' CA, ends the handshake (docs/security.md
     * says why that is the answer). The gateway serves the next caller as before.
     */
    @Test
    void aCertificateOfAnotherCaIsNotAccepted() throws Exception {
        TestPki.Issued foreign = TestPki.ca("strangers").client("svc-reaper");
        app.tls(clientContext(foreign));
        try {
            HttpResponse<String> declined = app.post(API);
            assertThat(declined.statusCode()).isEqualTo(401);
            assertThat(declined.body()).contains("com.guestops.gateway.auth.client_certificate_missing");
            app.tls(TestPki.context(servers, foreign, true));
            assertThatThrownBy(() -> app.post(API)).isInstanceOf(IOException.class);
        } finally {
            app.tls(clientContext(caller));
        }
        assertThat(app.post(API).statusCode()).isEqualTo(204);
    }

    /** The HTTP edge's guards sit behind TLS: a head still trickling after gateway.http.header-timeout (2 s) gets a vAPI 408. */
    @Test
    void aSlowHeadOverTlsIsAnsweredInTheVapiShape() throws Exception {
        try (SSLSocket socket = (SSLSocket) clientContext(caller).getSocketFactory().createSocket("127.0.0.1", app.httpsPort)) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setApplicationProtocols(new String[] {"http/1.1"});
            socket.setSSLParameters(parameters);
            socket.setSoTimeout(15_000);
            socket.startHandshake();
            socket.getOutputStream().write(("POST " + API + " HTTP/1.1\r\nHost: localhost\r\n").getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            long start = System.nanoTime();
            String answer = readAll(socket.getInputStream());
            assertThat(answer).startsWith("HTTP/1.1 408").contains("\"error_type\":\"INVALID_ARGUMENT\"", "com.guestops.gateway.request.header_timeout")
                    .contains("X-Request-Id");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(1500), Duration.ofSeconds(10));
        }
    }

    /**
     * cert-manager renews the Secret in place; the gateway re-reads it every tls.reloadPeriod (5 s here) and serves it.
     * A handshake that meets a reload may be closed by Vert.x (docs/tls.md, "Rotation without a restart"), so the poll
     * tolerates a failed one.
     */
    @Test
    void aRenewedCertificateIsServedWithoutARestart() throws Exception {
        TestPki.Issued renewed = servers.server("guestops-gateway-renewed");
        renewed.writeTo(workDir.resolve("tls-server"));
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> servedCertificate().getSerialNumber().equals(renewed.certificate().getSerialNumber()));
        // the same process, still asking for and verifying client certificates with the new server certificate
        assertThat(app.process.isAlive()).isTrue();
        assertThat(app.post(API).statusCode()).isEqualTo(204);
        app.tls(clientContext(null));
        try {
            assertThat(app.post(API).statusCode()).isEqualTo(401);
        } finally {
            app.tls(clientContext(caller));
        }
    }

    private static X509Certificate servedCertificate() throws IOException {
        try (SSLSocket socket = (SSLSocket) clientContext(caller).getSocketFactory().createSocket("127.0.0.1", app.httpsPort)) {
            socket.setSoTimeout(15_000);
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    private static String readAll(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
}
