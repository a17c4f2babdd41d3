package com.guestops.gateway.host;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.common.ConsoleNotifier;
import com.guestops.gateway.support.LocalPorts;
import com.guestops.gateway.support.Vcsim;
import com.guestops.gateway.support.VcsimClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sessions are released at shutdown (issue 12, item 11), seen from the hosts' side: the packaged
 * application (target/quarkus-app) with a vim25 host (the vcsim) and a vapi host (WireMock) gets
 * SIGTERM; the vcsim's session list is empty afterwards, the vCenter got its {@code DELETE /api/session},
 * and a host that does not answer its logout does not hold the shutdown up beyond the ~2 s bound.
 */
class ShutdownLogoutIT {

    static final Path APP = Path.of(System.getProperty("quarkus.app.dir", "target/quarkus-app"));

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Vcsim vcsim = new Vcsim();
    private WireMockServer vcenter;
    private Process app;

    @TempDir
    Path workDir;

    @AfterEach
    void stop() throws InterruptedException {
        if (app != null && app.isAlive()) {
            app.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (vcenter != null) {
            vcenter.stop();
        }
        vcsim.stop();
    }

    @Test
    void everyHostSessionIsLoggedOutAtShutdownWithinTheBound() throws Exception {
        Map<String, String> server = vcsim.start();
        URI sdk = URI.create(server.get(Vcsim.URL));
        String vm = server.get(Vcsim.MAPPED_VM);
        vcenter = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort().notifier(new ConsoleNotifier(false)));
        vcenter.start();
        vcenter.stubFor(post(urlPathEqualTo("/vc/api/session")).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody("\"vc-session-1\"")));
        vcenter.stubFor(post(urlPathMatching("/vc/api/vcenter/vm/.*")).willReturn(aResponse().withStatus(204)));
        // this vCenter never answers a logout in time: the shutdown must not wait for it
        vcenter.stubFor(com.github.tomakehurst.wiremock.client.WireMock.delete(urlPathEqualTo("/vc/api/session"))
                .willReturn(aResponse().withStatus(204).withFixedDelay(10_000)));

        int port = freePort();
        int managementPort = freePort();
        Files.createDirectories(workDir.resolve("config"));
        Files.writeString(workDir.resolve("config/application.properties"), String.join("\n",
                "quarkus.http.port=" + port,
                "quarkus.management.port=" + managementPort,
                "quarkus.shutdown.delay=0s",
                "gateway.auth.enabled=false",
                "gateway.discovery.enabled=false",
                "gateway.hosts.vcsim.type=vim25",
                "gateway.hosts.vcsim.url=" + sdk,
                "gateway.hosts.vcsim.username=" + Vcsim.USER,
                "gateway.hosts.vcsim.password=" + Vcsim.PASSWORD,
                "gateway.hosts.vc.type=vapi",
                "gateway.hosts.vc.url=http://127.0.0.1:" + vcenter.port() + "/vc",
                "gateway.hosts.vc.username=svc-vc",
                "gateway.hosts.vc.password=Vc-Pa55",
                "gateway.vms." + vm + "=vcsim",
                "gateway.vms.vm-vc-1=vc", ""));
        Path log = workDir.resolve("app.log");
        app = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                APP.resolve("quarkus-run.jar").toAbsolutePath().toString()))
                .directory(workDir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        awaitReady(managementPort, port, log);

        // one call to each host: each logs in once
        assertThat(kill(port, vm).statusCode()).as("vcsim answers MethodNotFound").isEqualTo(500);
        assertThat(kill(port, "vm-vc-1").statusCode()).isEqualTo(204);
        VcsimClient admin = VcsimClient.login(sdk);
        try {
            assertThat(admin.otherSessions()).as("the gateway's session on the vcsim").hasSize(1);

            long start = System.nanoTime();
            app.destroy(); // SIGTERM
            assertThat(app.waitFor(20, TimeUnit.SECONDS)).isTrue();
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(admin.otherSessions()).as("sessions left on the vcsim after the gateway stopped").isEmpty();
            assertThat(vcenter.findAll(deleteRequestedFor(urlPathEqualTo("/vc/api/session")))).singleElement()
                    .satisfies(r -> assertThat(r.getHeader("vmware-api-session-id")).isEqualTo("vc-session-1"));
            // the vCenter's 10 s logout was given up after about 2 s
            assertThat(took).as("shutdown took").isLessThan(Duration.ofSeconds(8));
            assertThat(Files.readString(log)).doesNotContain(Vcsim.PASSWORD).doesNotContain("Vc-Pa55");
        } finally {
            admin.logout();
        }
    }

    private HttpResponse<String> kill(int port, String vm) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/vcenter/vm/" + vm
                + "/guest/processes/1000?action=delete")).timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"credentials\":{\"type\":\"USERNAME_PASSWORD\","
                        + "\"user_name\":\"root\",\"password\":\"vmware\"}}")).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Ready on the management port (where health is) and accepting on the application port. */
    private void awaitReady(int managementPort, int port, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!app.isAlive()) {
                throw new AssertionError("the app exited with " + app.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200
                        && LocalPorts.accepts(port)) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the app did not become ready within 90 s:\n" + Files.readString(log));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
