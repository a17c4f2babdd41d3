package com.guestops.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.guestops.gateway.support.Processes;
import com.guestops.gateway.support.TestTokens;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged application with caller authentication enforced by a local key, in the production profile: the
 * verifier is warmed while the gateway starts (a throwaway token, refused at its signature) and a real token is
 * accepted afterwards; a key location that cannot be read stops the start with a message naming the property,
 * instead of a gateway that answers every caller 500.
 */
class VerificationKeyStartupIT {

    private static final Path APP = Path.of(System.getProperty("quarkus.app.dir", "target/quarkus-app"));
    private static final String BODY = "{\"credentials\":{\"type\":\"USERNAME_PASSWORD\",\"user_name\":\"root\",\"password\":\"vmware\"}}";

    @TempDir
    Path workDir;

    private Process process;

    @AfterEach
    void stop() throws InterruptedException {
        Processes.stop(process);
    }

    @Test
    void theVerifierIsWarmedAtStartAndARealTokenIsAcceptedAfter() throws Exception {
        Path key = Path.of("src/test/resources/auth/test-public.pem").toAbsolutePath();
        int port = freePort();
        Path log = start(port, key.toString());
        // the warm-up runs in a StartupEvent observer, before Quarkus opens the HTTP port: its line alone does not
        // mean the gateway accepts connections yet (a request sent right after it was once refused), "Listening on" does
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(log).contains("Listening on")) {
            assertThat(process.isAlive()).as("running:\n%s", Files.readString(log)).isTrue();
            assertThat(System.nanoTime()).as("listening within 60 s:\n%s", Files.readString(log)).isLessThan(deadline);
            Thread.sleep(100);
        }
        String started = Files.readString(log);
        assertThat(started).contains("Token verifier warm-up: SIGNATURE_CHECKED (RS256");
        assertThat(started.indexOf("Token verifier warm-up")).as("warmed before the port opens:\n%s", started)
                .isLessThan(started.indexOf("Listening on"));

        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/api/vcenter/vm/vm-1/guest/processes/1000?action=delete"))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + TestTokens.token("svc-after-warmup", TestTokens.ROLE))
                .POST(HttpRequest.BodyPublishers.ofString(BODY)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(204);
        assertThat(Files.readString(log)).doesNotContain("Rejected a bearer token");
    }

    @Test
    void aKeyThatCannotBeReadStopsTheStart() throws Exception {
        Path log = start(freePort(), workDir.resolve("no-such-key.pem").toString());

        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exited:\n%s", Files.readString(log)).isTrue();
        assertThat(process.exitValue()).isNotZero();
        assertThat(Files.readString(log)).contains("mp.jwt.verify.publickey.location").doesNotContain("Listening on");
    }

    private Path start(int port, String keyLocation) throws Exception {
        Path jar = APP.resolve("quarkus-run.jar").toAbsolutePath();
        assertThat(jar).as("packaged application (mvn verify runs package before the ITs)").exists();
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dquarkus.log.category.\"com.guestops.gateway.security.VerifierWarmup\".level=DEBUG",
                "-jar", jar.toString()).directory(workDir.toFile());
        Map<String, String> env = builder.environment();
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("QUARKUS_MANAGEMENT_PORT", Integer.toString(freePort()));
        env.put("QUARKUS_MANAGEMENT_HOST", "127.0.0.1");
        env.put("MP_JWT_VERIFY_PUBLICKEY_LOCATION", keyLocation);
        env.put("MP_JWT_VERIFY_ISSUER", TestTokens.ISSUER);
        env.put("MP_JWT_VERIFY_AUDIENCES", TestTokens.AUDIENCE);
        Path log = workDir.resolve("app.log");
        builder.redirectErrorStream(true).redirectOutput(log.toFile());
        process = builder.start();
        return log;
    }

    private static int freePort() throws Exception {
        try (ServerSocket free = new ServerSocket(0)) {
            return free.getLocalPort();
        }
    }
}
