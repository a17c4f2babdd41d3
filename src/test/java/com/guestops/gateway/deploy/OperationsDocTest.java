package com.guestops.gateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.guestops.gateway.support.Promtool;
import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The examples of docs/operations.md marked "checked by the build" do what the text says: values render
 * and lint with the chart, the prometheus-adapter rule serves the metric the HPA asks for, the Alertmanager
 * route matches labels the alerts carry, the scrape configuration passes {@code promtool check config}.
 */
class OperationsDocTest {

    static final Path DOC = Charts.ROOT.resolve("docs/operations.md");

    @TempDir
    Path tmp;

    /** The first ```yaml block after {@code marker} in docs/operations.md. */
    static String yamlAfter(String marker) throws IOException {
        String doc = Files.readString(DOC);
        int at = doc.indexOf(marker);
        assertThat(at).as("docs/operations.md contains \"%s\"", marker).isNotNegative();
        int start = doc.indexOf("```yaml\n", at);
        assertThat(start).as("a yaml block after \"%s\"", marker).isPositive();
        return doc.substring(start + "```yaml\n".length(), doc.indexOf("```", start + 8));
    }

    Path file(String name, String content) throws IOException {
        Path file = tmp.resolve(name);
        Files.writeString(file, content);
        return file;
    }

    @Test
    void theAdapterRuleServesTheMetricTheHpaScalesOn() throws IOException {
        JsonNode rule = Charts.parseYaml(yamlAfter("With prometheus-adapter")).at("/rules/custom/0");
        assertThat(rule.path("seriesQuery").asText()).contains("guestops_host_inflight");
        assertThat(rule.at("/resources/overrides/pod/resource").asText()).isEqualTo("pod");
        assertThat(rule.at("/resources/overrides/namespace/resource").asText()).isEqualTo("namespace");
        String metric = rule.at("/name/as").asText();

        Path values = file("hpa.yaml", yamlAfter("switch the HPA's Pods metric on"));
        JsonNode hpa = Charts.template(values).one("HorizontalPodAutoscaler");
        assertThat(hpa.at("/spec/metrics").findValuesAsText("name")).contains(metric, "cpu");
        assertThat(Charts.readYaml(Charts.CHART.resolve("values.yaml")).at("/autoscaling/inflightCalls/metricName").asText())
                .as("the chart's default metric name").isEqualTo(metric);
        LintResult lint = Charts.lint(values);
        assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();

        JsonNode keda = Charts.parseYaml(yamlAfter("With KEDA instead"));
        assertThat(keda.path("apiVersion").asText()).isEqualTo("keda.sh/v1alpha1");
        assertThat(keda.at("/spec/triggers/1/metadata/query").asText())
                .contains("guestops_host_inflight{namespace=\"guestops\", job=\"guestops-gateway\"}");
    }

    @Test
    void theAlertmanagerRouteMatchesLabelsTheAlertsCarry() throws IOException {
        Path values = file("alerts.yaml", yamlAfter("labels of `prometheusRule.alertLabels`"));
        JsonNode rule = Charts.template(values).one("PrometheusRule");
        Set<String> labelNames = new HashSet<>(Set.of("alertname", "namespace", "job", "host"));
        Set<String> labelPairs = new HashSet<>();
        for (JsonNode r : rule.at("/spec/groups/0/rules")) {
            if (!r.has("alert")) {
                continue;
            }
            assertThat(r.at("/annotations/runbook_url").asText())
                    .startsWith("https://git.example.com/platform/guestops-gateway/-/blob/main/docs/runbook.md#");
            r.path("labels").fields().forEachRemaining(l -> {
                labelNames.add(l.getKey());
                labelPairs.add(l.getKey() + "=" + l.getValue().asText());
            });
        }
        JsonNode alertmanager = Charts.parseYaml(yamlAfter("and an Alertmanager route"));
        Set<String> receivers = new HashSet<>(alertmanager.path("receivers").findValuesAsText("name"));
        assertThat(receivers).contains(alertmanager.at("/route/receiver").asText());
        Pattern matcher = Pattern.compile("(\\w+)=\"([^\"]*)\"");
        for (JsonNode route : alertmanager.at("/route/routes")) {
            assertThat(receivers).contains(route.path("receiver").asText());
            for (JsonNode m : route.path("matchers")) {
                Matcher parsed = matcher.matcher(m.asText());
                assertThat(parsed.matches()).as(m.asText()).isTrue();
                assertThat(labelPairs).as("an alert carries %s", m.asText()).contains(parsed.group(1) + "=" + parsed.group(2));
            }
            route.path("group_by").forEach(g -> assertThat(labelNames).contains(g.asText()));
        }
    }

    @Test
    void scrapingWithoutTheOperatorFindsThePodsAndTheRulesSelectTheirSeries() throws Exception {
        Path values = file("no-operator.yaml", yamlAfter("load the rules as a plain rule file"));
        Charts.Rendered r = Charts.template(values);
        assertThat(r.kinds()).doesNotContain("ServiceMonitor", "PrometheusRule");
        JsonNode annotations = r.one("Deployment").at("/spec/template/metadata/annotations");
        assertThat(annotations.path("prometheus.io/scrape").asText()).isEqualTo("true");
        // metrics are on the management port, the container's port named so
        assertThat(r.container().at("/ports/1/name").asText()).isEqualTo("management");
        assertThat(annotations.path("prometheus.io/port").asInt()).isEqualTo(r.container().at("/ports/1/containerPort").asInt());
        assertThat(annotations.path("prometheus.io/path").asText()).isEqualTo("/q/metrics");
        LintResult lint = Charts.lint(values);
        assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();

        String scrapeConfig = yamlAfter("A Prometheus scrape job");
        JsonNode job = Charts.parseYaml(scrapeConfig).at("/scrape_configs/0");
        assertThat(job.at("/kubernetes_sd_configs/0/role").asText()).isEqualTo("pod");
        // Debian's promtool is built without Kubernetes service discovery: the rest of the job (its
        // relabelling) is checked with a static target in its place
        Path prometheusYml = file("prometheus.yml", scrapeConfig.replace(
                "    kubernetes_sd_configs:\n      - role: pod\n", "    static_configs:\n      - targets: ['127.0.0.1:8080']\n"));
        assertThat(Files.readString(prometheusYml)).doesNotContain("kubernetes_sd_configs");
        assertThat(Promtool.run(null, "check", "config", prometheusYml.toString())).contains("SUCCESS");
        List<String> targets = job.path("relabel_configs").findValuesAsText("target_label");
        assertThat(targets).contains("namespace", "pod", "__metrics_path__", "__address__");

        // the rule file for that job, as the doc renders it: the rules select kubernetes-pods' series
        Path ruleValues = file("rules.yaml", "prometheusRule:\n  enabled: true\n  job: " + job.path("job_name").asText() + "\n");
        JsonNode rule = Charts.template("guestops-gateway", "guestops", ruleValues).one("PrometheusRule");
        Path rules = file("guestops-gateway.rules.yaml", Charts.YAML.writeValueAsString(rule.path("spec")));
        assertThat(Promtool.run(null, "check", "rules", rules.toString())).contains("SUCCESS");
        assertThat(String.join("\n", rule.findValuesAsText("expr"))).contains("job=\"kubernetes-pods\"");
    }
}
