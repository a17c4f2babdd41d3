package com.guestops.gateway.observability;

import static com.guestops.gateway.support.VapiCall.delete;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.guestops.gateway.api.Flavour;
import com.guestops.gateway.support.MetricsScrape;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Quarkus' HTTP server series ({@code http_server_requests_seconds_*}) stay bounded whatever paths callers
 * send: every path that is not a served route is the one {@code uri} value {@code UNKNOWN}.
 */
@QuarkusTest
class HttpServerMetricsTest {

    private static final String REQUESTS = "http_server_requests_seconds_count";

    /**
     * Found by review: 150 requests to random paths made 100 {@code uri} series (Micrometer's cap: legitimate
     * series are dropped after it). Junk paths answered 404, 413 (a declared body over the limit), 400 (a path
     * that is not a URI), on the operation's prefixes and below its route's prefix.
     */
    @Test
    void pathsNoRouteServesShareOneUriValue() throws IOException {
        delete(Flavour.API, "vm-1", 1000).send().assertSuccess();
        Set<String> before = uris(MetricsScrape.take());
        Random random = new Random(42);
        String[] methods = {"GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"};
        for (int i = 0; i < 150; i++) {
            String junk = UUID.randomUUID().toString();
            switch (i % 7) {
                case 0 -> given().request(methods[i % methods.length], "/" + junk + "/" + random.nextInt(1_000_000));
                case 1 -> given().contentType("application/json").body(new byte[70_000]).post("/upload/" + junk);
                case 2 -> given().request(methods[i % methods.length], "/api/" + junk);
                case 3 -> given().urlEncodingEnabled(false).contentType("application/json").body(new byte[70_000])
                        .post("/rest/%7Bx%7D/" + junk);
                case 4 -> raw("GET /x%zz" + junk + " HTTP/1.1");
                case 5 -> raw("POST /{" + junk + "}|^ HTTP/1.1");
                // below the operation's route prefix, but not its path: the route passes it on unnamed
                default -> given().contentType("application/json").body("{}")
                        .post("/" + Flavour.values()[i % 2].tag() + "/vcenter/vm/vm-1/guest/" + junk + "/1000");
            }
        }
        MetricsScrape after = MetricsScrape.take();
        Set<String> added = uris(after);
        added.removeAll(before);
        assertThat(added).as("uri values added by 150 requests to 150 different unserved paths").isSubsetOf("UNKNOWN");
        assertThat(uris(after)).as("a served route keeps its own series")
                .contains("/api/vcenter/vm/{vm}/guest/processes/{pid}").doesNotContain("NOT_FOUND", "/api/{unmatched}");
        assertThat(after.text().length()).as("size of /q/metrics").isLessThan(256 * 1024);
    }

    /** One request line on its own connection, read to the end (the server closes after answering a bad request). */
    private static void raw(String requestLine) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write((requestLine + "\r\nHost: localhost\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            in.readAllBytes();
        }
    }

    private static Set<String> uris(MetricsScrape scrape) {
        Set<String> uris = new TreeSet<>();
        scrape.samples().stream().filter(s -> s.name().equals(REQUESTS)).forEach(s -> uris.add(s.labels().get("uri")));
        return uris;
    }
}
