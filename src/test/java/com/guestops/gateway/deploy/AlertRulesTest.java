package com.guestops.gateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.guestops.gateway.support.Promtool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The rules shipped with the chart (PrometheusRule, rendered) and with k8s/ pass {@code promtool check
 * rules}, every alert is routable and documented, and the shipped rules pass their unit tests
 * ({@code promtool test rules}, src/test/resources/prometheus/guestops-gateway.rules.test.yaml): for
 * every alert, series that must fire it and series that must not.
 */
class AlertRulesTest {

    static final Path UNIT_TESTS = Charts.ROOT.resolve("src/test/resources/prometheus/guestops-gateway.rules.test.yaml");
    static final Path RUNBOOK = Charts.ROOT.resolve("docs/runbook.md");

    /** The {@code spec} of a PrometheusRule is a Prometheus rule file: written where promtool can read it. */
    private static Path rulesFile(JsonNode prometheusRule, Path file) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, Charts.YAML.writeValueAsString(prometheusRule.path("spec")));
        return file;
    }

    private static List<JsonNode> alerts(JsonNode prometheusRule) {
        List<JsonNode> alerts = new ArrayList<>();
        prometheusRule.path("spec").path("groups").forEach(g -> g.path("rules").forEach(r -> {
            if (r.has("alert")) {
                alerts.add(r);
            }
        }));
        return alerts;
    }

    private static void check(JsonNode prometheusRule, String name) throws Exception {
        Path file = rulesFile(prometheusRule, Path.of("target", "promtool", name));
        String output = Promtool.run(null, "check", "rules", file.toString());
        assertThat(output).contains("SUCCESS");
        List<JsonNode> alerts = alerts(prometheusRule);
        assertThat(alerts).extracting(r -> r.path("alert").asText()).containsExactlyInAnyOrder(
                "GuestopsGatewayDown", "GuestopsHostErrorRatioHigh", "GuestopsTerminateLatencyHigh",
                "GuestopsHostCircuitBreakerOpen", "GuestopsHostRetryBudgetExhausted");
        String runbook = Files.readString(RUNBOOK);
        for (JsonNode alert : alerts) {
            String alertName = alert.path("alert").asText();
            assertThat(alert.at("/labels/severity").asText()).as(alertName).isIn("warning", "critical");
            assertThat(alert.at("/annotations/summary").asText()).as(alertName).isNotBlank();
            assertThat(alert.at("/annotations/description").asText()).as(alertName).contains("{{ $labels.");
            // runbook_url points at the alert's own section of the shipped runbook (GitHub-style anchor)
            assertThat(alert.at("/annotations/runbook_url").asText()).as(alertName)
                    .endsWith("runbook.md#" + alertName.toLowerCase(Locale.ROOT));
            assertThat(runbook).as("docs/runbook.md has a section for " + alertName).contains("\n## " + alertName + "\n");
        }
    }

    @Test
    void chartRulesPassPromtoolCheck() throws Exception {
        check(Charts.template(Charts.VALUES.resolve("values-production.yaml")).one("PrometheusRule"), "chart-rules.yaml");
    }

    @Test
    void k8sRulesPassPromtoolCheck() throws Exception {
        check(Charts.readYaml(Charts.K8S.resolve("prometheusrule.yaml")), "k8s-rules.yaml");
    }

    /** The shipped rules (k8s/prometheusrule.yaml, which K8sManifestsTest keeps equal to the chart's). */
    @Test
    void shippedRulesPassTheirUnitTests() throws Exception {
        Path dir = Path.of("target", "promtool", "unit");
        rulesFile(Charts.readYaml(Charts.K8S.resolve("prometheusrule.yaml")), dir.resolve("guestops-gateway.rules.yaml"));
        Path tests = Files.copy(UNIT_TESTS, dir.resolve(UNIT_TESTS.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        String output = Promtool.run(null, "test", "rules", tests.toString());
        assertThat(output).contains("SUCCESS");
    }

    @Test
    void everyAlertHasSeriesThatFireItAndSeriesThatMustNot() throws Exception {
        Set<String> fired = new HashSet<>();
        Set<String> heldBack = new HashSet<>();
        JsonNode tests = Charts.readYaml(UNIT_TESTS).path("tests");
        for (JsonNode test : tests) {
            for (JsonNode t : test.path("alert_rule_test")) {
                (t.path("exp_alerts").isEmpty() ? heldBack : fired).add(t.path("alertname").asText());
                // a case that must not fire is meaningful only next to series for the alert's metrics
                assertThat(test.path("input_series")).as(test.path("name").asText()).isNotEmpty();
            }
        }
        List<String> alertNames = alerts(Charts.readYaml(Charts.K8S.resolve("prometheusrule.yaml"))).stream()
                .map(a -> a.path("alert").asText()).toList();
        assertThat(fired).as("alerts with a case that fires them").containsAll(alertNames);
        assertThat(heldBack).as("alerts with a case that must not fire them").containsAll(alertNames);
    }

    @Test
    void latencyThresholdIsABucketBoundOfTheHistogram() throws Exception {
        // the alert counts the requests above a bucket bound (le="<threshold>"); a threshold between two
        // bounds would match no bucket and silently never fire: the schema allows bounds only
        Pattern bound = Pattern.compile("le=~\"(\\d+)\\(");
        for (JsonNode alert : alerts(Charts.readYaml(Charts.K8S.resolve("prometheusrule.yaml")))) {
            if (alert.path("alert").asText().equals("GuestopsTerminateLatencyHigh")) {
                Matcher m = bound.matcher(alert.path("expr").asText());
                assertThat(m.find()).isTrue();
                assertThat(java.time.Duration.ofSeconds(Long.parseLong(m.group(1)))).isIn((Object[]) bucketBounds());
            }
        }
        JsonNode allowed = Charts.JSON.readTree(Charts.CHART.resolve("values.schema.json").toFile())
                .at("/properties/prometheusRule/properties/latencyThresholdSeconds/enum");
        for (JsonNode seconds : allowed) {
            assertThat(java.time.Duration.ofSeconds(seconds.asLong())).isIn((Object[]) bucketBounds());
        }
    }

    private static java.time.Duration[] bucketBounds() throws Exception {
        var field = com.guestops.gateway.metrics.GatewayMetrics.class.getDeclaredField("LATENCY_BUCKETS");
        field.setAccessible(true);
        return (java.time.Duration[]) field.get(null);
    }
}
