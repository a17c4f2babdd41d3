package com.guestops.gateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's class archive: Dockerfile.jvm runs {@code src/main/docker/appcds-train.sh} on /deployments with the
 * image's java (ContainerImageTest checks that it does). Here the same script runs with this machine's java on a
 * copy of the packaged application, which plays /deployments, and the application then starts with the image's
 * JVM options: the archive must be usable (-Xshare:on refuses to start otherwise) and hold the gateway's own classes.
 */
class AppCdsIT {

    static final String TRAINING_SCRIPT = "src/main/docker/appcds-train.sh";
    static final String ARCHIVE_OPTION = "-XX:SharedArchiveFile=/deployments/app-cds.jsa";

    @TempDir
    Path dir;

    @Test
    void theTrainingScriptMakesAnArchiveThatTheImagesJvmMapsAndThatHoldsTheGatewaysClasses() throws Exception {
        Path deployments = dir.resolve("deployments");
        Charts.copyTree(PackagedApp.APP.toAbsolutePath(), deployments);
        Files.deleteIfExists(deployments.resolve("app-cds.jsa")); // one made elsewhere (the bench's) is not this one

        ProcessBuilder script = new ProcessBuilder("bash", Charts.ROOT.resolve(TRAINING_SCRIPT).toString(), deployments.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("training.log").toFile());
        script.environment().put("APPCDS_TRAIN_PORT", Integer.toString(PackagedApp.freePort()));
        // the archive serves only the JVM that wrote it: the one that starts the application below
        script.environment().put("APPCDS_TRAIN_JAVA", java());
        Process training = script.start();
        assertThat(training.waitFor(150, TimeUnit.SECONDS)).as("training within 150 s").isTrue();
        assertThat(training.exitValue()).as(Files.readString(dir.resolve("training.log"))).isZero();
        assertThat(Files.size(deployments.resolve("app-cds.jsa"))).as("archive size").isGreaterThan(1 << 20);

        int port = PackagedApp.freePort();
        List<String> command = new ArrayList<>(List.of(java(),
                "-Xshare:on", "-Xlog:class+load=info:file=" + dir.resolve("classes.log")));
        String imageOptions = PackagedApp.imageEnvironment().get("JAVA_OPTS_APPEND");
        assertThat(imageOptions).contains(ARCHIVE_OPTION);
        command.addAll(Arrays.asList(imageOptions.replace("/deployments/", deployments + "/").split("\\s+")));
        command.addAll(List.of("-Dquarkus.http.port=" + port, "-Dquarkus.management.port=" + PackagedApp.freePort(),
                "-Dquarkus.shutdown.delay=0s", "-jar", deployments.resolve("quarkus-run.jar").toString()));
        Path workDir = Files.createDirectories(dir.resolve("work")); // no config: the embedded demo, as in the training
        Process app = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("app.log").toFile()).start();
        try {
            assertThat(firstAnswer(app, port)).as(() -> log("app.log")).isEqualTo(204);
            String classes = log("classes.log");
            // the resource that serves the call and the simulator that answered it came from the archive
            assertThat(classes)
                    .contains("com.guestops.gateway.api.OperationRoutes source: shared objects file (top)")
                    .contains("com.guestops.gateway.host.simulator.SimulatorHostClient source: shared objects file (top)");
        } finally {
            app.destroy();
            if (!app.waitFor(20, TimeUnit.SECONDS)) {
                app.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private int firstAnswer(Process app, int port) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest terminate = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/api/vcenter/vm/vm-1/guest/processes/1000?action=delete")).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(PackagedApp.BODY)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            assertThat(app.isAlive()).as(() -> "the application exited: " + log("app.log")).isTrue();
            try {
                return http.send(terminate, HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (IOException notListeningYet) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("no answer within 90 s: " + log("app.log"));
    }

    private String log(String name) {
        try {
            return Files.readString(dir.resolve(name));
        } catch (IOException e) {
            return "(no " + name + ": " + e + ")";
        }
    }
}
