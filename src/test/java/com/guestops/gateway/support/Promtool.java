package com.guestops.gateway.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code promtool} (Debian package {@code prometheus}; {@code .ci/run} installs it). Without it
 * the calling test is skipped locally, and fails where {@code CI} or {@code REQUIRE_PROMTOOL} is set.
 */
public final class Promtool {

    private Promtool() {
    }

    public static String path() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File candidate = new File(dir, "promtool");
            if (candidate.canExecute()) {
                return candidate.getPath();
            }
        }
        boolean required = System.getenv("CI") != null || System.getenv("REQUIRE_PROMTOOL") != null;
        assertThat(required).as("promtool is required in CI (apt-get install prometheus)").isFalse();
        assumeTrue(false, "promtool not installed; skipping");
        return null;
    }

    /**
     * {@code promtool check metrics} of an exposition: its lint findings, one per line (none: empty).
     * Fails when promtool cannot parse the exposition at all.
     */
    public static List<String> lintMetrics(String exposition) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(path(), "check", "metrics").redirectErrorStream(true).start();
        p.getOutputStream().write(exposition.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        // 0: clean, 3: lint findings; anything else (1) is an exposition promtool could not parse
        assertThat(p.exitValue()).as("promtool check metrics:%n%s", output).isIn(0, 3);
        return output.lines().filter(l -> !l.isBlank()).toList();
    }

    /** Runs promtool with {@code args}, feeding {@code stdin}; asserts exit code 0 and returns the output. */
    public static String run(String stdin, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(path());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s:%n%s", String.join(" ", command), output).isZero();
        return output;
    }
}
