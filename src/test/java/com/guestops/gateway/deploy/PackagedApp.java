package com.guestops.gateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.guestops.gateway.support.ContractValidation;
import com.guestops.gateway.support.LocalPorts;
import com.guestops.gateway.support.TestTokens;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real, packaged application (target/quarkus-app/quarkus-run.jar, built by {@code package} before
 * failsafe runs), started the way the chart's pod starts it: working directory with the rendered
 * config/application.yaml in it, the container's environment from the rendered Deployment (Secret
 * references resolved from the rendered Secret), and the JVM options the image's start script derives
 * from it within the container's limits. The only overrides are the ports (free ones, through
 * QUARKUS_HTTP_PORT, QUARKUS_HTTP_SSL_PORT and QUARKUS_MANAGEMENT_PORT), and the working directory: it plays the
 * pod's /deployments, so the paths of mounted files (/deployments/tls-server/tls.crt, ...) point into it.
 */
final class PackagedApp implements AutoCloseable {

    static final Path APP = Path.of(System.getProperty("quarkus.app.dir", "target/quarkus-app"));
    static final String BODY = "{\"credentials\":{\"type\":\"USERNAME_PASSWORD\",\"user_name\":\"root\",\"password\":\"vmware\"}}";

    final Charts.Rendered rendered;
    final Map<String, String> env;
    /** The plain HTTP port (closed when the rendered configuration turns HTTPS on). */
    final int port;
    final int httpsPort;
    final int managementPort;
    /** Whether callers are served HTTPS (the chart's tls.enabled). */
    final boolean https;
    final Path log;
    final Process process;
    private final HttpClient management = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private HttpClient http = management;

    private PackagedApp(Charts.Rendered rendered, Map<String, String> env, int[] ports, Path log, Process process) {
        this.rendered = rendered;
        this.env = env;
        this.port = ports[0];
        this.httpsPort = ports[1];
        this.managementPort = ports[2];
        this.https = rendered.applicationYaml().contains("insecure-requests: disabled");
        this.log = log;
        this.process = process;
    }

    /** Starts the packaged application in {@code workDir} as the rendered pod would run it. */
    static PackagedApp start(Charts.Rendered rendered, Path workDir) throws IOException {
        Map<String, String> env = podEnvironment(rendered);
        Path jar = APP.resolve("quarkus-run.jar").toAbsolutePath();
        assertThat(jar).as("packaged application (mvn verify runs package before the ITs)").exists();

        // the pod's filesystem: <workingDir>/config/application.yaml
        JsonNode container = rendered.container();
        assertThat(container.path("workingDir").asText()).isEqualTo("/deployments");
        assertThat(HelmChartTest.mountPath(container, "config")).isEqualTo("/deployments/config");
        Path config = workDir.resolve("config/application.yaml");
        Files.createDirectories(config.getParent());
        Files.writeString(config, rendered.applicationYaml().replace("/deployments/", workDir.toAbsolutePath() + "/"));

        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions(container, env));
        command.add("-jar");
        command.add(jar.toString());

        int[] ports = {freePort(), freePort(), freePort()};
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(ports[0]));
        builder.environment().put("QUARKUS_HTTP_SSL_PORT", Integer.toString(ports[1]));
        builder.environment().put("QUARKUS_MANAGEMENT_PORT", Integer.toString(ports[2]));
        Path log = workDir.resolve("app.log");
        builder.redirectErrorStream(true).redirectOutput(log.toFile());
        return new PackagedApp(rendered, env, ports, log, builder.start());
    }

    /**
     * The JVM options of the pod: what the base image's run-java.sh computes (its java-default-options:
     * the heap from JAVA_MAX_MEM_RATIO, ParallelGC with heap shrinking, exit on OutOfMemoryError, the
     * metaspace threshold from GC_METASPACE_SIZE), then
     * JAVA_OPTS_APPEND; and, since this JVM runs in no container, the container's limits as the JVM
     * would see them there (memory limit as MaxRAM, CPU limit as the processor count).
     */
    static List<String> jvmOptions(JsonNode container, Map<String, String> env) {
        List<String> options = new ArrayList<>();
        JsonNode limits = container.at("/resources/limits");
        options.add("-XX:MaxRAM=" + bytes(limits.path("memory").asText()));
        options.add("-XX:ActiveProcessorCount=" + (int) Math.ceil(cores(limits.path("cpu").asText())));
        options.add("-XX:MaxRAMPercentage=" + env.getOrDefault("JAVA_MAX_MEM_RATIO", "80.0"));
        options.addAll(List.of("-XX:+UseParallelGC", "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=20",
                "-XX:GCTimeRatio=4", "-XX:AdaptiveSizePolicyWeight=90", "-XX:+ExitOnOutOfMemoryError"));
        if (env.containsKey("GC_METASPACE_SIZE")) {
            options.add("-XX:MetaspaceSize=" + env.get("GC_METASPACE_SIZE") + "m");
        }
        options.addAll(Arrays.asList(env.getOrDefault("JAVA_OPTS_APPEND", "").trim().split("\\s+")));
        options.removeIf(String::isEmpty);
        return options;
    }

    /** A Kubernetes memory quantity (512Mi, 1Gi, 800M) in bytes. */
    static long bytes(String quantity) {
        var m = Pattern.compile("(\\d+)(Ki|Mi|Gi|k|M|G)?").matcher(quantity);
        assertThat(m.matches()).as("memory quantity %s", quantity).isTrue();
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2) == null ? "" : m.group(2)) {
            case "Ki" -> n << 10;
            case "Mi" -> n << 20;
            case "Gi" -> n << 30;
            case "k" -> n * 1000;
            case "M" -> n * 1_000_000;
            case "G" -> n * 1_000_000_000;
            default -> n;
        };
    }

    /** A Kubernetes CPU quantity (1, 500m) in cores. */
    static double cores(String quantity) {
        return quantity.endsWith("m") ? Double.parseDouble(quantity.substring(0, quantity.length() - 1)) / 1000
                : Double.parseDouble(quantity);
    }

    /**
     * The container's env: the image's ENV, overridden by the pod's literal values and secretKeyRefs (resolved
     * from the Secrets the chart rendered), as the container runtime combines them.
     */
    static Map<String, String> podEnvironment(Charts.Rendered rendered) {
        Map<String, String> env = imageEnvironment();
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

    /** The image's own {@code ENV NAME=value} lines (src/main/docker/Dockerfile.jvm), which the pod's env overrides. */
    static Map<String, String> imageEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        try {
            Matcher line = Pattern.compile("(?m)^ENV (\\w+)=(\"([^\"]*)\"|'([^']*)'|(\\S*))$")
                    .matcher(Files.readString(ContainerImageTest.DOCKERFILE));
            while (line.find()) {
                String value = line.group(3) != null ? line.group(3) : line.group(4) != null ? line.group(4) : line.group(5);
                env.put(line.group(1), value);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return env;
    }

    /** The pod's terminationGracePeriodSeconds. */
    long gracePeriodSeconds() {
        return rendered.one("Deployment").at("/spec/template/spec/terminationGracePeriodSeconds").asLong();
    }

    void awaitReady() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("the app exited with " + process.exitValue() + ":\n" + output());
            }
            try {
                if (management("/q/health/ready").statusCode() == 200 && LocalPorts.accepts(https ? httpsPort : port)) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the app did not become ready within 90 s:\n" + output());
    }

    String output() throws IOException {
        return Files.readString(log);
    }

    /** Health and metrics, on the management port (plain HTTP; not part of the callers' OpenAPI document). */
    HttpResponse<String> management(String path) throws IOException, InterruptedException {
        return management.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** From now on, the callers' port is reached with this TLS context (trust in the server, a client certificate). */
    PackagedApp tls(javax.net.ssl.SSLContext context) {
        // the connect timeout covers the TLS handshake too: the first ones of a fresh JVM on a busy machine are slow
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(15)).sslContext(context).build();
        return this;
    }

    /** Every answer of the packaged application on the callers' port is checked against the OpenAPI document it serves. */
    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return checked(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET().build());
    }

    /** A terminate call with the suite's bearer token. */
    HttpResponse<String> post(String path) throws IOException, InterruptedException {
        return post(path, TestTokens.suite());
    }

    /** @param token the bearer token to send, or null for none */
    HttpResponse<String> post(String path, String token) throws IOException, InterruptedException {
        return checked(terminate(path, token, Map.of()).build());
    }

    /** Sends the request and checks the answer against the OpenAPI document. */
    HttpResponse<String> checked(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        ContractValidation.check(request, response, http);
        return response;
    }

    HttpRequest.Builder terminate(String path, String token, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(BODY));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        headers.forEach(request::header);
        return request;
    }

    HttpClient http() {
        return http;
    }

    URI uri(String path) {
        return URI.create(https ? "https://127.0.0.1:" + httpsPort + path : "http://127.0.0.1:" + port + path);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
