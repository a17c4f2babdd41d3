package com.guestops.gateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * src/main/docker/Dockerfile.jvm and its build context (there is no Docker engine here to build it):
 * a base image that can be pinned by digest, OCI labels, a .dockerignore that sends only the packaged
 * application, and no JVM flag the base image already sets (it computes the heap from JAVA_MAX_MEM_RATIO).
 */
class ContainerImageTest {

    static final Path DOCKERFILE = Charts.ROOT.resolve("src/main/docker/Dockerfile.jvm");
    /** Options the base image's run-java.sh adds itself (jboss-container-images/openjdk, java-default-options). */
    static final List<String> BASE_IMAGE_FLAGS = List.of("-XX:MaxRAMPercentage", "-XX:+ExitOnOutOfMemoryError", "-XX:+UseParallelGC");

    @Test
    void theBaseImageIsAnArgumentThatTakesADigest() throws IOException {
        String dockerfile = Files.readString(DOCKERFILE);
        Matcher arg = Pattern.compile("(?m)^ARG BASE_IMAGE=(\\S+)$").matcher(dockerfile);
        assertThat(arg.find()).as("ARG BASE_IMAGE=<image> before FROM").isTrue();
        assertThat(arg.group(1)).startsWith("registry.access.redhat.com/ubi9/openjdk-17-runtime");
        assertThat(dockerfile).containsPattern("(?m)^FROM \\$\\{BASE_IMAGE}$");
        // how to pin it is written next to it
        assertThat(dockerfile).contains("@sha256:", "--build-arg BASE_IMAGE=");
    }

    @Test
    void theImageCarriesOciLabels() throws IOException {
        String dockerfile = Files.readString(DOCKERFILE);
        for (String label : List.of("title", "description", "version", "revision", "created", "base.name")) {
            assertThat(dockerfile).as(label).contains("org.opencontainers.image." + label + "=");
        }
    }

    @Test
    void noJvmFlagTheBaseImageAlreadySets() throws IOException {
        String dockerfile = Files.readString(DOCKERFILE);
        assertThat(dockerfile).contains("JAVA_MAX_MEM_RATIO").doesNotContain("JAVA_MAX_RAM_RATIO");
        List<String> env = new ArrayList<>();
        dockerfile.lines().filter(l -> l.startsWith("ENV ")).forEach(env::add);
        JsonNode container = Charts.template(null).container();
        container.path("env").forEach(e -> env.add(e.path("name").asText() + "=" + e.path("value").asText()));
        for (String flag : BASE_IMAGE_FLAGS) {
            assertThat(env).as(flag).noneMatch(e -> e.contains(flag));
        }
        // the heap share is the base image's own knob
        assertThat(container.path("env").findValuesAsText("name")).contains("JAVA_MAX_MEM_RATIO");
    }

    @Test
    void dockerRunStartsTheJvmTheChartStarts() {
        // the chart replaces the image's JAVA_OPTS_APPEND; without the chart (docker run) the image's applies
        Map<String, String> image = PackagedApp.imageEnvironment();
        assertThat(image.get("JAVA_OPTS_APPEND")).isEqualTo(PackagedApp.podEnvironment(Charts.template(null)).get("JAVA_OPTS_APPEND"));
        // the metaspace threshold is the base image's own knob, which the chart leaves to the image
        assertThat(image.get("GC_METASPACE_SIZE")).isEqualTo("96");
        assertThat(Charts.template(null).container().path("env").findValuesAsText("name")).doesNotContain("GC_METASPACE_SIZE");
    }

    @Test
    void theBuildContextIsOnlyThePackagedApplicationAndTheArchiveScript() throws IOException {
        List<String> ignore = Files.readAllLines(Charts.ROOT.resolve(".dockerignore")).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        assertThat(ignore).containsExactly("*", "!target/quarkus-app/", "!" + AppCdsIT.TRAINING_SCRIPT,
                "target/quarkus-app/app-cds.jsa");
        // what the Dockerfile copies is inside what the context lets through
        for (String line : Files.readAllLines(DOCKERFILE)) {
            if (line.startsWith("COPY ")) {
                String[] parts = line.split("\\s+");
                String source = parts[parts.length - 2];
                assertThat(source).as(line).matches("target/quarkus-app/.*|" + Pattern.quote(AppCdsIT.TRAINING_SCRIPT));
            }
        }
    }

    @Test
    void theImageMakesItsClassArchiveWithItsOwnJavaAndStartsWithIt() throws IOException {
        List<String> lines = Files.readAllLines(DOCKERFILE);
        int lastAppCopy = -1;
        int training = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).matches("COPY .*target/quarkus-app/.*")) {
                lastAppCopy = i;
            }
            if (lines.get(i).startsWith("RUN ")) {
                assertThat(training).as("one RUN step").isEqualTo(-1);
                training = i;
            }
        }
        // the script AppCdsIT runs, on the application the image holds, after all of it is in place, as the user that runs it
        assertThat(lines.get(training)).isEqualTo("RUN bash /tmp/appcds-train.sh /deployments && rm /tmp/appcds-train.sh");
        assertThat(lines.get(training - 1)).isEqualTo("COPY --chown=185 " + AppCdsIT.TRAINING_SCRIPT + " /tmp/appcds-train.sh");
        assertThat(training).isGreaterThan(lastAppCopy).isGreaterThan(lines.indexOf("USER 185"));
        // the JVM that runs the application maps it (docker run, the chart and k8s/ alike: dockerRunStartsTheJvmTheChartStarts)
        assertThat(PackagedApp.imageEnvironment().get("JAVA_OPTS_APPEND")).contains(AppCdsIT.ARCHIVE_OPTION);
        assertThat(PackagedApp.imageEnvironment().get("JAVA_APP_JAR")).isEqualTo("/deployments/quarkus-run.jar");
    }
}
