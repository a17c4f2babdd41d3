package com.guestops.gateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.guestops.gateway.support.Promtool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The alert rules shipped with the chart (PrometheusRule, rendered) and with k8s/ pass
 * {@code promtool check rules}, and each alert carries a runbook.
 */
class AlertRulesTest {

    private static Path rulesFile(JsonNode prometheusRule, String name) throws Exception {
        Path file = Path.of("target", name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, Charts.YAML.writeValueAsString(prometheusRule.path("spec")));
        return file;
    }

    private static void check(JsonNode prometheusRule, String name) throws Exception {
        Path file = rulesFile(prometheusRule, name);
        String output = Promtool.run(null, "check", "rules", file.toString());
        assertThat(output).contains("SUCCESS");
        List<JsonNode> alerts = new ArrayList<>();
        prometheusRule.path("spec").path("groups").forEach(g -> g.path("rules").forEach(alerts::add));
        assertThat(alerts).hasSizeGreaterThanOrEqualTo(5).allSatisfy(rule -> {
            assertThat(rule.path("alert").asText()).isNotBlank();
            assertThat(rule.path("annotations").path("runbook").asText()).isNotBlank();
        });
        assertThat(alerts).extracting(r -> r.path("alert").asText())
                .contains("GuestopsHostCircuitBreakerOpen", "GuestopsTerminateErrorRatioHigh",
                        "GuestopsTerminateLatencyHigh", "GuestopsHostRetryBudgetExhausted");
    }

    @Test
    void chartAlertRulesPassPromtool() throws Exception {
        JsonNode rule = Charts.template(Charts.VALUES.resolve("values-production.yaml")).one("PrometheusRule");
        check(rule, "chart-alert-rules.yaml");
    }

    @Test
    void k8sAlertRulesPassPromtool() throws Exception {
        check(Charts.readYaml(Charts.K8S.resolve("prometheusrule.yaml")), "k8s-alert-rules.yaml");
    }
}
