package com.guestops.gateway.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Imports run one way (docs/forwarding.md, "Where the rules live"): {@code api}, {@code health} > {@code audit} >
 * {@code terminate} > {@code security} > {@code routing} > {@code resilience} > {@code host} >
 * {@code config}, {@code metrics} > {@code error}. A package may use only packages to its right (and its
 * own sub-packages); packages of the same rank do not use each other. Read from the sources of
 * {@code src/main/java}: every {@code com.guestops.gateway.<package>} named in a file counts, whether
 * imported or written out in full, so nothing can run back up the order unnoticed.
 */
class LayersTest {

    private static final Path SOURCES = Path.of("src/main/java/com/guestops/gateway");
    private static final Map<String, Integer> RANK = Map.ofEntries(
            Map.entry("api", 0), Map.entry("health", 0),
            Map.entry("audit", 1),
            Map.entry("terminate", 2),
            Map.entry("security", 3),
            Map.entry("routing", 4),
            Map.entry("resilience", 5),
            Map.entry("host", 6),
            Map.entry("config", 7), Map.entry("metrics", 7),
            Map.entry("error", 8));
    private static final Pattern USE = Pattern.compile("com\\.guestops\\.gateway\\.([a-z0-9]+)");

    @Test
    void everyPackageIsInTheOrder() throws IOException {
        try (Stream<Path> packages = Files.list(SOURCES)) {
            assertThat(packages.filter(Files::isDirectory).map(p -> p.getFileName().toString()))
                    .as("top-level packages; a new one needs its place in the order").allMatch(RANK::containsKey);
        }
    }

    @Test
    void noImportRunsBackUpTheOrder() throws IOException {
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String from = SOURCES.relativize(file).getName(0).toString();
                String source = Files.readString(file).replaceFirst("(?m)^package [^;]+;", "");
                Matcher m = USE.matcher(source);
                while (m.find()) {
                    String to = m.group(1);
                    if (!to.equals(from) && (!RANK.containsKey(to) || RANK.get(to) <= RANK.get(from))) {
                        violations.add(SOURCES.relativize(file) + " (" + from + ") uses " + to);
                    }
                }
            }
        }
        assertThat(violations).as("uses that run back up the layer order").isEmpty();
    }

    @Test
    void theCheckSeesAViolation() {
        // the rule itself, on a line that breaks it: resilience must not know terminate
        Matcher m = USE.matcher("import com.guestops.gateway.terminate.TerminateTrace;");
        assertThat(m.find()).isTrue();
        assertThat(RANK.get(m.group(1))).isLessThanOrEqualTo(RANK.get("resilience"));
    }
}
