package com.guestops.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.guestops.gateway.support.Processes;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged application (target/quarkus-app, built by {@code package} before failsafe runs) in the production
 * profile, as a pod runs it, with its zero-set-up demo: the connection guard is in place (it is installed once the
 * server listens, asynchronously), and with the production JSON console the audit lines on stdout are bare JSON
 * objects while every other line stays a JSON log record.
 */
class PackagedAppEdgeIT {

    private static final Path APP = Path.of(System.getProperty("quarkus.app.dir", "target/quarkus-app"));
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String AUDIT = "com.guestops.gateway.audit";

    @TempDir
    Path workDir;

    private Process process;
    private Path log;

    @AfterEach
    void stop() throws InterruptedException {
        Processes.stop(process);
    }

    @Test
    void auditLinesAreBareJsonObjectsAndMalformedRequestsAreAnsweredInTheVapiShape() throws Exception {
        int port = start();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpResponse<String> ok = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/api/vcenter/vm/vm-1/guest/processes/1000?action=delete")).header("Content-Type", "application/json")
                .header("X-Request-Id", "it-success").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"credentials\":{\"type\":\"USERNAME_PASSWORD\",\"user_name\":\"root\",\"password\":\"vmware\"}}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).isEqualTo(204);
        String refused = raw(port, "POST /rest/vcenter/vm/vm-1%zz/guest/processes/1000?action=delete HTTP/1.1\r\nHost: x\r\n"
                + "X-Request-Id: it-refused\r\nContent-Length: 0\r\n\r\n");
        assertThat(refused).startsWith("HTTP/1.1 400").contains("com.guestops.gateway.request.path_invalid")
                .containsIgnoringCase("x-request-id: it-refused");
        process.destroy();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();

        List<JsonNode> audit = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            JsonNode record = JSON.readTree(line);
            assertThat(record.isObject()).as("every stdout line is one JSON object: %s", line).isTrue();
            if (AUDIT.equals(record.path("loggerName").asText())) {
                assertThat(record.has("message")).as("an audit line is not wrapped in a log record: %s", line).isFalse();
                audit.add(record);
            } else {
                assertThat(record.has("level")).as("other lines are JSON log records: %s", line).isTrue();
                assertThat(record.path("message").asText()).doesNotContain("request_id");
            }
        }
        assertThat(audit).extracting(a -> a.path("request_id").asText()).containsExactly("it-success", "it-refused");
        assertThat(audit.get(0).path("outcome").asText()).isEqualTo("success");
        assertThat(audit.get(0).path("attempts").isInt()).isTrue();
        assertThat(audit.get(1).path("outcome").asText()).isEqualTo("invalid_argument");
        assertThat(audit.get(1).path("vm").asText()).isEqualTo("vm-1%zz");
    }

    private int start() throws Exception {
        Path jar = APP.resolve("quarkus-run.jar").toAbsolutePath();
        assertThat(jar).as("packaged application (mvn verify runs package before the ITs)").exists();
        int port;
        int managementPort;
        try (ServerSocket free = new ServerSocket(0); ServerSocket management = new ServerSocket(0)) {
            port = free.getLocalPort();
            managementPort = management.getLocalPort();
        }
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString()).directory(workDir.toFile());
        builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        builder.environment().put("QUARKUS_HTTP_HOST", "127.0.0.1");
        builder.environment().put("QUARKUS_MANAGEMENT_PORT", Integer.toString(managementPort));
        builder.environment().put("QUARKUS_MANAGEMENT_HOST", "127.0.0.1");
        log = workDir.resolve("app.log");
        builder.redirectErrorStream(true).redirectOutput(log.toFile());
        process = builder.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("the app exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
            if (Files.exists(log) && Files.readString(log).contains("HTTP connections guarded")) {
                return port;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the app did not guard its HTTP connections within 90 s:\n" + Files.readString(log));
    }

    private static String raw(int port, String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
