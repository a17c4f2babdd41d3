package com.guestops.gateway.observability;

import static com.guestops.gateway.support.VapiCall.delete;
import static com.guestops.gateway.support.Management.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.guestops.gateway.api.Flavour;
import com.guestops.gateway.support.MetricsScrape;
import com.guestops.gateway.support.Promtool;
import com.guestops.gateway.support.Management;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code promtool check metrics} on real scrapes of the running test application, in every format
 * {@code /q/metrics} serves: every series (ours, SmallRye's {@code ft_*}, Quarkus's binders) follows
 * Prometheus conventions. The alert rules are checked by {@code deploy.AlertRulesTest}.
 */
@QuarkusTest
class PromtoolTest {

    static final String TEXT = "text/plain; version=0.0.4; charset=utf-8";
    static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    /** What Prometheus 2.x sends: OpenMetrics first. */
    static final String PROMETHEUS_ACCEPT = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
            + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    final URI metrics = Management.uri().resolve("/q/metrics");

    @BeforeEach
    void traffic() {
        for (Flavour f : Flavour.values()) {
            delete(f, "vm-1", 1000).send();
            delete(f, "vm-2", 1000).send();
            delete(f, "vm-4", 1000).send();
            delete(f, "vm-1", "0").send();
        }
    }

    @Test
    void realScrapePassesPromtoolCheckMetrics() throws Exception {
        String scrape = MetricsScrape.take().text();
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/metrics-scrape.txt"), scrape);
        assertThat(Promtool.lintMetrics(scrape)).as("promtool lint findings").isEmpty();
    }

    @Test
    void plainCurlGetsTheTextFormatAndItPassesPromtool() throws Exception {
        // curl sends Accept: */*; the JDK client no Accept at all
        Response curl = given().accept("*/*").get("/q/metrics").then().statusCode(200).extract().response();
        assertThat(curl.contentType()).isEqualTo(TEXT);
        assertThat(Promtool.lintMetrics(curl.asString())).isEmpty();
        HttpResponse<String> bare = HttpClient.newHttpClient().send(HttpRequest.newBuilder(metrics)
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(bare.statusCode()).isEqualTo(200);
        assertThat(bare.headers().firstValue("Content-Type")).hasValue(TEXT);
        assertThat(Promtool.lintMetrics(bare.body())).isEmpty();
    }

    @Test
    void openMetricsIsServedForEveryWayOfAskingForIt() {
        for (String accept : List.of("application/openmetrics-text;version=1.0.0", "application/openmetrics-text; version=1.0.0",
                "application/openmetrics-text", "application/openmetrics-text;version=0.0.1",
                "application/openmetrics-text; version=1.0.0; charset=utf-8", PROMETHEUS_ACCEPT)) {
            Response r = given().accept(accept).get("/q/metrics").then().extract().response();
            assertThat(r.statusCode()).as(accept).isEqualTo(200);
            assertThat(r.contentType()).as(accept).isEqualTo(OPENMETRICS);
            assertThat(r.asString()).as(accept).endsWith("# EOF\n").contains("guestops_terminate_requests_total{");
        }
        // text preferred over OpenMetrics: text
        Response text = given().accept("application/openmetrics-text;q=0.3, text/plain;q=0.9").get("/q/metrics");
        assertThat(text.contentType()).isEqualTo(TEXT);
        // nothing /q/metrics can serve: still refused
        assertThat(given().accept("application/json").get("/q/metrics").statusCode()).isEqualTo(406);
    }

    @Test
    void openMetricsScrapePassesPromtoolCheckMetrics() throws Exception {
        String scrape = given().accept("application/openmetrics-text;version=1.0.0").get("/q/metrics").then()
                .statusCode(200).extract().asString();
        Files.writeString(Path.of("target/metrics-scrape.openmetrics.txt"), scrape);
        // promtool lints with the text format's parser, which reads OpenMetrics except for two things that are
        // OpenMetrics itself: exemplars after a sample (" # {trace_id=...} 1.0 <time>", there while tracing
        // records), and a counter's HELP naming its family (guestops_terminate_requests) where its sample adds
        // _total. Exemplars are cut off, that finding is set aside; everything else (HELP escaping included)
        // must pass.
        String withoutExemplars = scrape.replaceAll("(?m)^([^#].*?) # \\{.*$", "$1");
        List<String> findings = Promtool.lintMetrics(withoutExemplars).stream()
                .filter(f -> !isCounterSampleOfADescribedFamily(f, scrape)).toList();
        assertThat(findings).as("promtool lint findings").isEmpty();
        assertThat(scrape.lines().filter(l -> l.startsWith("# HELP ")))
                .as("HELP texts need no escaping (a \\\" is invalid in the text format)").noneMatch(l -> l.contains("\\\""));
    }

    private static boolean isCounterSampleOfADescribedFamily(String finding, String scrape) {
        Matcher m = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)_total no help text").matcher(finding);
        String lines = "\n" + scrape; // the family may be the first of the page
        return m.matches() && lines.contains("\n# TYPE " + m.group(1) + " counter\n")
                && lines.contains("\n# HELP " + m.group(1) + " ");
    }
}
