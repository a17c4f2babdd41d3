package com.guestops.gateway.docs;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.guestops.gateway.api.Flavour;
import com.guestops.gateway.support.Simulators;
import com.guestops.gateway.support.TestTokens;
import com.guestops.gateway.support.VapiAnswer;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Runs every curl example of the README, in order, against the test application (whose demo host
 * serves the same demo inventory) and checks the status and error type the README promises.
 *
 * <p>The README's examples are written for the zero-set-up demo, where callers are not checked (see
 * docs/security.md, "Safe defaults"); the test application enforces bearer tokens, so an example without an
 * {@code Authorization} header is sent with the test suite's token.
 *
 * <p>Examples may carry a value from one to the next as a shell user would: {@code -D <file>} saves the answer's
 * headers in that file as curl does, and a double-quoted {@code -H "..."} is expanded by bash, as written, so
 * its {@code $(...)} reads the file (the safe-kill examples pass the lookup's ETag on this way).
 */
@QuarkusTest
class ReadmeExamplesTest {

    private static final Pattern CURL = Pattern.compile(
            "curl -si -X (\\w+) '(?:http://localhost:8080)([^']*)'((?:\\s*\\\\\\s*-(?:[Hd] '[^']*'|H \"[^\"]*\"|D \\S+))*)\\s*\\n# → (\\d{3})(?: (\\w+))?");
    private static final Pattern OPTION = Pattern.compile("-([HdD]) (?:'([^']*)'|\"([^\"]*)\"|(\\S+))");

    @Inject
    Simulators simulators;

    /**
     * @param headers     single-quoted {@code -H} values, as written
     * @param shellHeaders double-quoted {@code -H} values, for bash to expand
     * @param dumpHeaders  the {@code -D} file, or null
     */
    record Example(String method, String pathAndQuery, List<String> headers, List<String> shellHeaders, String dumpHeaders,
            String body, int status, String errorType) {
    }

    static List<Example> examples() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        List<Example> examples = new ArrayList<>();
        Matcher m = CURL.matcher(readme);
        while (m.find()) {
            List<String> headers = new ArrayList<>();
            List<String> shellHeaders = new ArrayList<>();
            String dump = null;
            String body = null;
            Matcher o = OPTION.matcher(m.group(3));
            while (o.find()) {
                switch (o.group(1)) {
                    case "H" -> {
                        if (o.group(2) != null) {
                            headers.add(o.group(2));
                        } else {
                            shellHeaders.add(o.group(3));
                        }
                    }
                    case "D" -> dump = o.group(4);
                    default -> body = o.group(2);
                }
            }
            examples.add(new Example(m.group(1), m.group(2), headers, shellHeaders, dump, body, Integer.parseInt(m.group(4)),
                    m.group(5)));
        }
        return examples;
    }

    @Test
    void everyCurlExampleAnswersAsDocumented() throws IOException {
        List<Example> examples = examples();
        assertThat(examples).as("curl examples found in README.md").hasSizeGreaterThanOrEqualTo(10);
        simulators.resetAll(); // the README describes a freshly started gateway
        for (Example e : examples) {
            RequestSpecification request = given().urlEncodingEnabled(false);
            if (e.headers().stream().noneMatch(h -> h.regionMatches(true, 0, "Authorization:", 0, 14))) {
                request = request.header("Authorization", "Bearer " + TestTokens.suite());
            }
            List<String> all = new ArrayList<>(e.headers());
            for (String h : e.shellHeaders()) {
                all.add(bash(h));
            }
            for (String h : all) {
                String[] kv = h.split(":\\s*", 2);
                request = request.header(kv[0], kv[1]);
            }
            if (e.body() != null) {
                request = request.body(e.body());
            }
            Response response = request.request(e.method(), e.pathAndQuery());
            if (e.dumpHeaders() != null) {
                dumpHeaders(response, Path.of(e.dumpHeaders()));
            }
            assertThat(response.statusCode()).as("%s %s", e.method(), e.pathAndQuery()).isEqualTo(e.status());
            if (e.errorType() != null) {
                VapiAnswer answer = new VapiAnswer(Flavour.ofPath(e.pathAndQuery()), response);
                assertThat(answer.errorType().name()).as("%s %s", e.method(), e.pathAndQuery()).isEqualTo(e.errorType());
            }
        }
    }

    /** What {@code curl -D file} writes: the status line and the headers, CRLF-terminated, then an empty line. */
    private static void dumpHeaders(Response response, Path file) throws IOException {
        StringBuilder dump = new StringBuilder(response.getStatusLine()).append("\r\n");
        response.getHeaders().forEach(h -> dump.append(h.getName()).append(": ").append(h.getValue()).append("\r\n"));
        Files.writeString(file, dump.append("\r\n").toString());
    }

    /** A double-quoted word of the README, expanded by bash exactly as the newcomer's shell would. */
    private static String bash(String doubleQuoted) throws IOException {
        Process p = new ProcessBuilder("bash", "-c", "printf '%s' \"" + doubleQuoted + "\"").redirectErrorStream(true).start();
        try {
            if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("bash did not expand " + doubleQuoted + " within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted expanding " + doubleQuoted, e);
        }
        String value = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("bash expanding %s: %s", doubleQuoted, value).isZero();
        return value;
    }
}
