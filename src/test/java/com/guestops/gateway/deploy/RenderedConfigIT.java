package com.guestops.gateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.guestops.gateway.support.ContractValidation;
import com.guestops.gateway.support.TestTokens;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The application.yaml the chart renders is loaded by the real, packaged application
 * (target/quarkus-app/quarkus-run.jar, built by {@code package} before failsafe runs), started the way
 * the pod starts it: working directory with config/application.yaml in it, and the container's
 * environment from the rendered Deployment, Secret references resolved from the rendered Secret.
 * The only override is the HTTP port (a free one, through QUARKUS_HTTP_PORT).
 */
class RenderedConfigIT {

    static final Path APP = Path.of(System.getProperty("quarkus.app.dir", "target/quarkus-app"));
    static final String BODY = "{\"credentials\":{\"type\":\"USERNAME_PASSWORD\",\"user_name\":\"root\",\"password\":\"vmware\"}}";

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path workDir;

    Process process;
    Path log;

    @AfterEach
    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void theAppServesWithTheConfigurationTheChartRenders() throws Exception {
        Charts.Rendered rendered = Charts.template("it", "guestops", Charts.VALUES.resolve("values-app.yaml"));
        Map<String, String> env = podEnvironment(rendered);
        assertThat(env).containsKey("GUESTOPS_HOST_PASSWORD_SIM_A");

        int port = freePort();
        start(rendered, env, port);
        awaitReady(port);

        assertThat(get(port, "/q/health/ready").statusCode()).isEqualTo(200);
        assertThat(get(port, "/q/health/live").statusCode()).isEqualTo(200);
        assertThat(get(port, "/q/health/started").statusCode()).isEqualTo(200);
        // what the ServiceMonitor scrapes
        HttpResponse<String> metrics = get(port, "/q/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("# TYPE ");

        // real hosts: callers need a bearer token, verified with the key the chart put in application.yaml
        HttpResponse<String> anonymous = post(port, "/api/vcenter/vm/vm-1/guest/processes/1000?action=delete", null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"guestops-gateway\"");
        assertThat(anonymous.body()).contains("com.guestops.gateway.auth.token_missing");

        // vm-1 -> sim-a (the demo inventory: root may kill the respawning worker 1000)
        assertThat(post(port, "/api/vcenter/vm/vm-1/guest/processes/1000?action=delete").statusCode()).isEqualTo(204);
        assertThat(post(port, "/rest/vcenter/vm/vm-1/guest/processes/1000?action=delete").statusCode()).isEqualTo(200);
        // vm-2 -> sim-b: powered off there
        HttpResponse<String> off = post(port, "/api/vcenter/vm/vm-2/guest/processes/1000?action=delete");
        assertThat(off.statusCode()).isEqualTo(400);
        assertThat(off.body()).contains("NOT_ALLOWED_IN_CURRENT_STATE");
        // vm-5 is in both hosts' (demo) inventories but not in the rendered directory: discovery (on with
        // two hosts) finds two claimants and refuses to guess
        HttpResponse<String> ambiguous = post(port, "/api/vcenter/vm/vm-5/guest/processes/1000?action=delete");
        assertThat(ambiguous.statusCode()).isEqualTo(500);
        assertThat(ambiguous.body()).contains("com.guestops.gateway.vm.ambiguous_route");
        // a VM no host has: no route, so the built-in demo VMs are not merged in either
        HttpResponse<String> unrouted = post(port, "/api/vcenter/vm/vm-77/guest/processes/1000?action=delete");
        assertThat(unrouted.statusCode()).isEqualTo(404);
        assertThat(unrouted.body()).contains("com.guestops.gateway.vm.no_route");

        // the series the PrometheusRule and the Grafana dashboard are written against
        String scrape = get(port, "/q/metrics").body();
        assertThat(scrape).contains("guestops_terminate_requests_total{", "guestops_terminate_duration_seconds_bucket{",
                "guestops_host_circuit_breaker_state{", "guestops_host_inflight{");
        assertThat(scrape).containsPattern("guestops_host_circuit_breaker_state\\{[^}]*host=\"sim-b\"");

        String output = Files.readString(log);
        assertThat(output).contains("Host 'sim-a' registered", "Host 'sim-b' registered", "Caller authentication ENFORCED")
                .doesNotContain("embedded SIMULATOR")
                .doesNotContain(env.get("GUESTOPS_HOST_PASSWORD_SIM_A")).doesNotContain(TestTokens.suite());

        // SIGTERM, as the kubelet sends it: the app stops well within terminationGracePeriodSeconds
        long grace = rendered.one("Deployment").at("/spec/template/spec/terminationGracePeriodSeconds").asLong();
        process.destroy();
        assertThat(process.waitFor(grace, TimeUnit.SECONDS)).as("stopped within %s s", grace).isTrue();
    }

    // ---- the pod, emulated -------------------------------------------------------------------------

    /** The container's env: literal values, and secretKeyRefs resolved from the Secrets the chart rendered. */
    static Map<String, String> podEnvironment(Charts.Rendered rendered) {
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode e : rendered.container().path("env")) {
            String name = e.path("name").asText();
            if (e.has("value")) {
                env.put(name, e.path("value").asText());
            } else {
                JsonNode ref = e.at("/valueFrom/secretKeyRef");
                String value = rendered.secretValue(ref.path("name").asText(), ref.path("key").asText())
                        .orElseThrow(() -> new AssertionError("env " + name + " references " + ref
                                + ", which the chart did not render"));
                env.put(name, value);
            }
        }
        return env;
    }

    void start(Charts.Rendered rendered, Map<String, String> env, int port) throws IOException {
        Path jar = APP.resolve("quarkus-run.jar").toAbsolutePath();
        assertThat(jar).as("packaged application (mvn verify runs package before the ITs)").exists();

        // the pod's filesystem: <workingDir>/config/application.yaml
        JsonNode container = rendered.container();
        assertThat(container.path("workingDir").asText()).isEqualTo("/deployments");
        assertThat(HelmChartTest.mountPath(container, "config")).isEqualTo("/deployments/config");
        Path config = workDir.resolve("config/application.yaml");
        Files.createDirectories(config.getParent());
        Files.writeString(config, rendered.applicationYaml());

        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // run-java.sh appends JAVA_OPTS_APPEND to the JVM options; -Djava.io.tmpdir=/tmp is kept as is
        command.addAll(Arrays.asList(env.getOrDefault("JAVA_OPTS_APPEND", "").trim().split("\\s+")));
        command.removeIf(String::isEmpty);
        command.add("-jar");
        command.add(jar.toString());

        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        log = workDir.resolve("app.log");
        builder.redirectErrorStream(true).redirectOutput(log.toFile());
        process = builder.start();
    }

    void awaitReady(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("the app exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                if (get(port, "/q/health/ready").statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the app did not become ready within 90 s:\n" + Files.readString(log));
    }

    /** Every answer of the packaged application is checked against the OpenAPI document it serves. */
    HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).GET().build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        ContractValidation.check(request, response);
        return response;
    }

    HttpResponse<String> post(int port, String path) throws IOException, InterruptedException {
        return post(port, path, TestTokens.suite());
    }

    /** @param token the bearer token to send, or null for none */
    HttpResponse<String> post(int port, String path, String token) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(BODY));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpRequest built = request.build();
        HttpResponse<String> response = http.send(built, HttpResponse.BodyHandlers.ofString());
        ContractValidation.check(built, response);
        return response;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
