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
 */
@QuarkusTest
class ReadmeExamplesTest {

    private static final Pattern CURL = Pattern.compile(
            "curl -si -X (\\w+) '(?:http://localhost:8080)([^']*)'((?:\\s*\\\\\\s*-[Hd] '[^']*')*)\\s*\\n# → (\\d{3})(?: (\\w+))?");
    private static final Pattern OPTION = Pattern.compile("-([Hd]) '([^']*)'");

    @Inject
    Simulators simulators;

    record Example(String method, String pathAndQuery, List<String> headers, String body, int status, String errorType) {
    }

    static List<Example> examples() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        List<Example> examples = new ArrayList<>();
        Matcher m = CURL.matcher(readme);
        while (m.find()) {
            List<String> headers = new ArrayList<>();
            String body = null;
            Matcher o = OPTION.matcher(m.group(3));
            while (o.find()) {
                if (o.group(1).equals("H")) {
                    headers.add(o.group(2));
                } else {
                    body = o.group(2);
                }
            }
            examples.add(new Example(m.group(1), m.group(2), headers, body, Integer.parseInt(m.group(4)), m.group(5)));
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
            for (String h : e.headers()) {
                String[] kv = h.split(":\\s*", 2);
                request = request.header(kv[0], kv[1]);
            }
            if (e.body() != null) {
                request = request.body(e.body());
            }
            Response response = request.request(e.method(), e.pathAndQuery());
            assertThat(response.statusCode()).as("%s %s", e.method(), e.pathAndQuery()).isEqualTo(e.status());
            if (e.errorType() != null) {
                VapiAnswer answer = new VapiAnswer(Flavour.ofPath(e.pathAndQuery()), response);
                assertThat(answer.errorType().name()).as("%s %s", e.method(), e.pathAndQuery()).isEqualTo(e.errorType());
            }
        }
    }
}
