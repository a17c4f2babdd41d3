package com.guestops.gateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.guestops.gateway.support.TestTokens;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM, as the kubelet sends it, to the packaged application running the chart's configuration with
 * a vAPI host that holds some calls ({@link HoldingVapiHost}): while the shutdown delay lasts (readiness
 * already down) the pod still serves; after it, new terminate requests get the vAPI 503
 * {@code com.guestops.gateway.shutting_down} and never reach the host; the calls in flight finish with
 * their real answers and are audited, also one whose caller hung up; the process exits within the grace
 * period.
 */
class GracefulShutdownIT {

    static final long HELD = 4242;
    static final long ABANDONED = 4243;
    static final int DELAY_SECONDS = 3;

    @TempDir
    Path workDir;

    HoldingVapiHost host;
    PackagedApp app;

    @AfterEach
    void stop() throws InterruptedException {
        if (app != null) {
            app.close();
        }
        if (host != null) {
            host.close();
        }
    }

    @Test
    void callsInFlightFinishAndNewCallsAreRefusedAfterTheDelay() throws Exception {
        host = HoldingVapiHost.start(HELD, ABANDONED);
        Charts.Rendered rendered = Charts.template("sd", "guestops", values(host.url()));
        app = PackagedApp.start(rendered, workDir);
        app.awaitReady();
        String token = TestTokens.suite();

        // two calls at the host when SIGTERM comes: one whose caller waits, one whose caller hung up
        CompletableFuture<HttpResponse<String>> inFlight = app.http().sendAsync(app.terminate(
                terminatePath("api", "vm-slow", HELD), token, Map.of("X-Request-Id", "in-flight-1")).build(),
                HttpResponse.BodyHandlers.ofString());
        try (Socket caller = new Socket(InetAddress.getLoopbackAddress(), app.port)) {
            OutputStream out = caller.getOutputStream();
            out.write(rawTerminate(terminatePath("api", "vm-slow", ABANDONED), token, "abandoned-1"));
            out.flush();
            await().atMost(Duration.ofSeconds(10)).until(() -> host.arrived(HELD) && host.arrived(ABANDONED));
        }
        assertThat(inFlight).isNotDone();

        long sigterm = System.nanoTime();
        app.process.destroy(); // SIGTERM
        await().atMost(Duration.ofSeconds(DELAY_SECONDS)).pollInterval(Duration.ofMillis(50))
                .until(() -> app.management("/q/health/ready").statusCode() == 503);
        long unready = System.nanoTime();

        // during the delay (Services may still route here for a moment): served, and forwarded
        HttpResponse<String> duringDelay = app.checked(app.terminate(terminatePath("api", "vm-fast", 1), token,
                Map.of("X-Request-Id", "during-delay-1")).build());
        assertThat(duringDelay.statusCode()).as("served %d ms after readiness went down",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - unready)).isEqualTo(204);
        assertThat(host.terminates()).isEqualTo(3);

        // after the delay: refused in the vAPI shape of each flavour, never forwarded
        // (the delay is a span of time, not a state to poll for)
        Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(unready - System.nanoTime()) + DELAY_SECONDS * 1000L + 500));
        HttpResponse<String> refused = app.checked(app.terminate(terminatePath("api", "vm-fast", 2), token,
                Map.of("X-Request-Id", "after-delay-1")).build());
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(refused.headers().firstValue("X-Request-Id")).hasValue("after-delay-1");
        JsonNode api = Charts.JSON.readTree(refused.body());
        assertThat(api.path("error_type").asText()).isEqualTo("SERVICE_UNAVAILABLE");
        assertThat(api.at("/messages/0/id").asText()).isEqualTo("com.guestops.gateway.shutting_down");
        HttpResponse<String> refusedLegacy = app.checked(app.terminate(terminatePath("rest", "vm-fast", 3), token,
                Map.of("X-Request-Id", "after-delay-2")).build());
        assertThat(refusedLegacy.statusCode()).isEqualTo(503);
        JsonNode rest = Charts.JSON.readTree(refusedLegacy.body());
        assertThat(rest.path("type").asText()).isEqualTo("com.vmware.vapi.std.errors.service_unavailable");
        assertThat(rest.at("/value/messages/0/id").asText()).isEqualTo("com.guestops.gateway.shutting_down");
        // refused before the caller is even authenticated: nothing about the caller is needed to say it
        assertThat(app.post(terminatePath("api", "vm-fast", 4), null).statusCode()).isEqualTo(503);
        assertThat(host.terminates()).as("no refused request reached the host").isEqualTo(3);
        // counted like every outcome (metrics are still served while draining)
        String scrape = app.management("/q/metrics").body();
        assertThat(scrape).contains(
                "guestops_terminate_requests_total{flavour=\"api\",host=\"none\",outcome=\"service_unavailable\",source=\"gateway\",} 2.0",
                "guestops_terminate_requests_total{flavour=\"rest\",host=\"none\",outcome=\"service_unavailable\",source=\"gateway\",} 1.0");

        // the call in flight finishes with its real answer; then the one whose caller left
        assertThat(inFlight).isNotDone();
        host.release(HELD);
        HttpResponse<String> finished = inFlight.get(10, TimeUnit.SECONDS);
        assertThat(finished.statusCode()).isEqualTo(204);
        // Quarkus has drained the HTTP requests; the one whose caller left is no HTTP request any more, yet
        // the gateway waits for it before closing anything
        await().atMost(Duration.ofSeconds(10)).until(() -> app.output().contains("All HTTP requests complete")
                && app.output().contains("Waiting for 1 terminate request(s) whose callers are gone"));
        assertThat(app.process.isAlive()).isTrue();
        host.release(ABANDONED);

        long grace = app.gracePeriodSeconds();
        assertThat(app.process.waitFor(grace, TimeUnit.SECONDS)).as("exited within the grace period of %d s", grace).isTrue();
        long took = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - sigterm);
        assertThat(took).isLessThan(grace);
        assertThat(host.terminates()).isEqualTo(3);

        String output = app.output();
        Map<String, JsonNode> audit = auditLines(output);
        assertThat(audit.get("in-flight-1")).as("audit of the call in flight").isNotNull();
        assertThat(audit.get("in-flight-1").path("outcome").asText()).isEqualTo("success");
        assertThat(audit.get("in-flight-1").path("host").asText()).isEqualTo("vc-slow");
        assertThat(audit.get("abandoned-1")).as("audit of the call whose caller hung up").isNotNull();
        assertThat(audit.get("abandoned-1").path("outcome").asText()).isEqualTo("success");
        assertThat(audit.get("during-delay-1").path("outcome").asText()).isEqualTo("success");
        for (String refusedId : new String[] {"after-delay-1", "after-delay-2"}) {
            assertThat(audit.get(refusedId).path("outcome").asText()).as(refusedId).isEqualTo("service_unavailable");
            assertThat(audit.get(refusedId).path("source").asText()).as(refusedId).isEqualTo("gateway");
            assertThat(audit.get(refusedId).path("attempts").asInt()).as(refusedId).isZero();
        }
        assertThat(output).doesNotContain("Timed out waiting for graceful shutdown");
    }

    /** The chart's values: one vapi host at the holding host, short deadlines, the test key's tokens. */
    static Path values(String hostUrl) throws IOException {
        ObjectNode values = Charts.YAML.createObjectNode();
        ObjectNode vcSlow = values.putObject("gateway").putObject("hosts").putObject("vc-slow");
        vcSlow.put("type", "vapi").put("url", hostUrl).put("username", "svc-guestops@vsphere.local")
                .put("password", "it-only-not-a-secret");
        ObjectNode gateway = (ObjectNode) values.get("gateway");
        gateway.putObject("vms").put("vm-slow", "vc-slow").put("vm-fast", "vc-slow");
        gateway.putObject("resilience").put("deadline", "15s").put("attempt-timeout", "12s");
        values.putObject("shutdown").put("delaySeconds", DELAY_SECONDS).put("timeoutSeconds", 20);
        // bearer-token verification with the test key (as values-app.yaml)
        values.set("extraConfig", Charts.readYaml(Charts.VALUES.resolve("values-app.yaml")).get("extraConfig"));
        Path file = Files.createTempFile("shutdown-values", ".yaml");
        Charts.YAML.writeValue(file.toFile(), values);
        return file;
    }

    static String terminatePath(String flavour, String vm, long pid) {
        return "/" + flavour + "/vcenter/vm/" + vm + "/guest/processes/" + pid + "?action=delete";
    }

    static byte[] rawTerminate(String path, String token, String requestId) {
        byte[] body = PackagedApp.BODY.getBytes(StandardCharsets.UTF_8);
        String head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
                + "\r\nContent-Type: application/json\r\nX-Request-Id: " + requestId
                + "\r\nContent-Length: " + body.length + "\r\n\r\n";
        byte[] request = new byte[head.length() + body.length];
        System.arraycopy(head.getBytes(StandardCharsets.US_ASCII), 0, request, 0, head.length());
        System.arraycopy(body, 0, request, head.length(), body.length);
        return request;
    }

    /** The audit lines of the (JSON) log, by request id. */
    static Map<String, JsonNode> auditLines(String output) throws IOException {
        Map<String, JsonNode> audit = new HashMap<>();
        for (String line : output.lines().toList()) {
            if (!line.startsWith("{")) {
                continue;
            }
            JsonNode record = Charts.JSON.readTree(line);
            // the audit line is its own JSON object, with the loggerName key of the other JSON log lines
            if ("com.guestops.gateway.audit".equals(record.path("loggerName").asText())) {
                audit.put(record.path("request_id").asText(), record);
            }
        }
        return audit;
    }
}
