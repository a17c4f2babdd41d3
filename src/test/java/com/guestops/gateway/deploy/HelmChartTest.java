package com.guestops.gateway.deploy;

import static com.guestops.gateway.deploy.Charts.VALUES;
import static com.guestops.gateway.deploy.Charts.labels;
import static com.guestops.gateway.deploy.Charts.name;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** helm lint and helm template of helm/guestops-gateway, and what the rendered objects must say. */
class HelmChartTest {

    static final Path PRODUCTION = VALUES.resolve("values-production.yaml");
    static final String INLINE_PASSWORD = "S3cr3t-vc-Pa55";
    static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{(GUESTOPS_HOST_PASSWORD_[A-Z0-9_]+)}");

    @TempDir
    Path tmp;

    // ---- lint ------------------------------------------------------------------------------------

    @Test
    void lintPassesWithDefaultValues() {
        LintResult result = Charts.lint(null);
        assertThat(result.isFailed()).as("helm lint --strict: %s", result.getMessages()).isFalse();
    }

    @Test
    void lintPassesWithTwoVim25HostsAndOneVapiHost() {
        JsonNode hosts = Charts.readYaml(PRODUCTION).at("/gateway/hosts");
        assertThat(StreamSupport.stream(hosts.spliterator(), false).map(h -> h.path("type").asText()))
                .containsExactlyInAnyOrder("vim25", "vim25", "vapi");
        LintResult result = Charts.lint(PRODUCTION);
        assertThat(result.isFailed()).as("helm lint --strict: %s", result.getMessages()).isFalse();
    }

    // ---- defaults: the demo install ----------------------------------------------------------------

    @Test
    void defaultValuesRenderADemoInstallWithoutOptionalObjects() {
        Charts.Rendered r = Charts.template(null);
        assertThat(r.kinds()).containsExactly(
                "ConfigMap", "Deployment", "PodDisruptionBudget", "Service", "ServiceAccount");
        JsonNode config = Charts.parseYaml(r.applicationYaml());
        assertThat(config.has("gateway")).as("no hosts: the embedded demo simulator serves").isFalse();
        assertThat(r.one("Deployment").at("/spec/replicas").asInt()).isGreaterThanOrEqualTo(2);
        assertThat(r.container().path("env").findValues("valueFrom")).isEmpty();
    }

    @Test
    void notesTellHowToCallItAndSayWhenTheDemoServes() {
        String demo = Charts.notes(null);
        assertThat(demo).contains("DEMO MODE", "embedded SIMULATOR", "/api/vcenter/vm/vm-1/guest/processes/1000?action=delete",
                "port-forward svc/gw-guestops-gateway");
        String production = Charts.notes(PRODUCTION);
        assertThat(production).doesNotContain("DEMO MODE").doesNotContain(INLINE_PASSWORD)
                .contains("/api/vcenter/vm/<vm>/guest/processes/<pid>?action=delete", "guestops-gateway/client=true",
                        "ServiceMonitor gw-guestops-gateway", "WARNING: some host passwords were given inline");
    }

    // ---- the production values ---------------------------------------------------------------------

    @Test
    void productionValuesRenderEveryObject() {
        Charts.Rendered r = Charts.template(PRODUCTION);
        assertThat(r.kinds()).containsExactlyInAnyOrder(
                "ServiceAccount", "ConfigMap", "ConfigMap", "Secret", "Service", "Deployment",
                "PodDisruptionBudget", "HorizontalPodAutoscaler", "NetworkPolicy", "ServiceMonitor", "PrometheusRule");
        for (JsonNode object : r.objects()) {
            assertThat(object.at("/metadata/namespace").asText()).as(name(object)).isEqualTo("guestops");
            assertThat(labels(object.at("/metadata/labels"))).as(name(object))
                    .containsEntry("app.kubernetes.io/name", "guestops-gateway")
                    .containsEntry("app.kubernetes.io/instance", "gw")
                    .containsKey("helm.sh/chart");
        }
    }

    @Test
    void probesHitTheQuarkusHealthEndpointsOnTheManagementPort() {
        Charts.Rendered r = Charts.template(PRODUCTION);
        JsonNode container = r.container();
        assertThat(container.at("/ports/0/name").asText()).isEqualTo("http");
        assertThat(container.at("/ports/0/containerPort").asInt()).isEqualTo(8080);
        assertThat(container.at("/ports/1/name").asText()).isEqualTo("management");
        assertThat(container.at("/ports/1/containerPort").asInt()).isEqualTo(9000);
        assertThat(container.path("ports")).hasSize(2);
        assertThat(r.applicationYaml()).contains("management:").contains("port: 9000");
        assertThat(container.at("/startupProbe/httpGet/path").asText()).isEqualTo("/q/health/started");
        assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/q/health/live");
        assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/q/health/ready");
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            assertThat(container.at("/" + probe + "/httpGet/port").asText()).as(probe).isEqualTo("management");
            assertThat(container.at("/" + probe + "/httpGet/scheme").asText()).as(probe).isEqualTo("HTTP");
            assertThat(container.at("/" + probe + "/periodSeconds").asInt()).as(probe).isPositive();
            assertThat(container.at("/" + probe + "/timeoutSeconds").asInt()).as(probe).isPositive();
        }
        // the startup probe gives a slow JVM start at least a minute before liveness may kill it
        JsonNode startup = container.path("startupProbe");
        assertThat(startup.path("periodSeconds").asInt() * startup.path("failureThreshold").asInt())
                .isGreaterThanOrEqualTo(60);
    }

    @Test
    void podRunsNonRootReadOnlyWithoutCapabilities() {
        Charts.Rendered r = Charts.template(PRODUCTION);
        JsonNode pod = r.one("Deployment").at("/spec/template/spec");
        assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
        assertThat(pod.at("/securityContext/seccompProfile/type").asText()).isEqualTo("RuntimeDefault");
        assertThat(pod.at("/automountServiceAccountToken").isBoolean()).isTrue();
        assertThat(pod.at("/automountServiceAccountToken").asBoolean()).isFalse();

        JsonNode sc = r.container().path("securityContext");
        assertThat(sc.path("runAsNonRoot").asBoolean()).isTrue();
        assertThat(sc.path("readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(sc.path("allowPrivilegeEscalation").isBoolean()).isTrue();
        assertThat(sc.path("allowPrivilegeEscalation").asBoolean()).isFalse();
        assertThat(sc.at("/capabilities/drop").toString()).isEqualTo("[\"ALL\"]");
        assertThat(sc.at("/capabilities/add").isMissingNode()).isTrue();
        assertThat(sc.at("/seccompProfile/type").asText()).isEqualTo("RuntimeDefault");

        // read-only root filesystem: /tmp is an emptyDir
        assertThat(mountPath(r.container(), "tmp")).isEqualTo("/tmp");
        JsonNode tmpVolume = volume(pod, "tmp");
        assertThat(tmpVolume.has("emptyDir")).isTrue();
        assertThat(tmpVolume.at("/emptyDir/sizeLimit").asText()).isNotEmpty();
    }

    @Test
    void resourcesHaveRequestsAndLimits() {
        JsonNode resources = Charts.template(PRODUCTION).container().path("resources");
        assertThat(resources.at("/requests/cpu").asText()).isEqualTo("500m");
        assertThat(resources.at("/requests/memory").asText()).isEqualTo("768Mi");
        assertThat(resources.at("/limits/cpu").asText()).isEqualTo("2");
        assertThat(resources.at("/limits/memory").asText()).isEqualTo("768Mi");
        // defaults too
        JsonNode defaults = Charts.template(null).container().path("resources");
        assertThat(defaults.at("/limits/memory").asText()).isNotEmpty();
        assertThat(defaults.at("/limits/cpu").asText()).isNotEmpty();
        assertThat(defaults.at("/requests/memory").asText()).isNotEmpty();
        assertThat(defaults.at("/requests/cpu").asText()).isNotEmpty();
    }

    /** RSS besides the heap, measured under the soak (docs/operations.md, "Memory"): up to 178 MiB, rounded up. */
    static final long MEASURED_NON_HEAP_MIB = 180;

    @Test
    void theDefaultMemoryLimitHoldsTheHeapAndWhatIsNotHeapWithAMargin() {
        Charts.Rendered r = Charts.template(null);
        JsonNode container = r.container();
        long limit = PackagedApp.bytes(container.at("/resources/limits/memory").asText()) >> 20;
        // request = limit: the scheduler reserves what the pod may use, the node never has to reclaim it
        assertThat(container.at("/resources/requests/memory").asText()).isEqualTo(container.at("/resources/limits/memory").asText());
        int ratio = Integer.parseInt(PackagedApp.podEnvironment(r).get("JAVA_MAX_MEM_RATIO"));
        long heap = limit * ratio / 100;
        assertThat(ratio).as("heap share of the limit").isBetween(40, 60);
        assertThat(heap + MEASURED_NON_HEAP_MIB).as("heap %d MiB + non-heap %d MiB within %d MiB with 10 %% to spare",
                heap, MEASURED_NON_HEAP_MIB, limit).isLessThanOrEqualTo(limit * 90 / 100);
    }

    @Test
    void theHeapHasAFloorAndAFixedYoungGenerationWithRoomBesideIt() throws IOException {
        Charts.Rendered r = Charts.template(null);
        Map<String, String> env = PackagedApp.podEnvironment(r);
        assertThat(env.get("JAVA_OPTS_APPEND")).isEqualTo("-Dquarkus.http.host=0.0.0.0"
                + " -Djava.util.logging.manager=org.jboss.logmanager.LogManager -Djava.io.tmpdir=/tmp"
                + " -XX:SharedArchiveFile=/deployments/app-cds.jsa -Xms80m -Xmn48m");

        Path off = tmp.resolve("heap-off.yaml");
        Files.writeString(off, "javaMinHeapMiB: 0\njavaYoungGenMiB: 0\njavaOptsAppend: \"-XX:+PrintCommandLineFlags \"\n");
        assertThat(PackagedApp.podEnvironment(Charts.template(off)).get("JAVA_OPTS_APPEND")).isEqualTo("-Dquarkus.http.host=0.0.0.0"
                + " -Djava.util.logging.manager=org.jboss.logmanager.LogManager -Djava.io.tmpdir=/tmp"
                + " -XX:SharedArchiveFile=/deployments/app-cds.jsa -XX:+PrintCommandLineFlags");

        // a young generation without old generation room beside it: ParallelGC collects in full instead
        Path noRoom = tmp.resolve("heap-no-room.yaml");
        Files.writeString(noRoom, "javaMinHeapMiB: 64\njavaYoungGenMiB: 48\n");
        assertThatThrownBy(() -> Charts.template(noRoom)).hasMessageContaining("javaMinHeapMiB (64) must be at least javaYoungGenMiB + 32 (80)");
        Path youngOnly = tmp.resolve("heap-young-only.yaml");
        Files.writeString(youngOnly, "javaMinHeapMiB: 0\n");
        assertThatThrownBy(() -> Charts.template(youngOnly)).hasMessageContaining("javaMinHeapMiB (0) must be at least");
        // a floor above half the maximum leaves nothing for a burst: 40 % of 256Mi is 102 MiB
        Path small = tmp.resolve("heap-small-limit.yaml");
        Files.writeString(small, "javaMaxMemRatio: 40\nresources:\n  limits: {memory: 256Mi}\n  requests: {memory: 256Mi}\n");
        assertThatThrownBy(() -> Charts.template(small))
                .hasMessageContaining("javaMinHeapMiB (80) must be at most half the heap's maximum (102 MiB: javaMaxMemRatio 40 % of 256Mi)");
        Path large = tmp.resolve("heap-large-limit.yaml");
        Files.writeString(large, "javaMaxMemRatio: 70\njavaMinHeapMiB: 200\nresources:\n  limits: {memory: 1Gi}\n  requests: {memory: 1Gi}\n");
        assertThat(PackagedApp.podEnvironment(Charts.template(large)).get("JAVA_OPTS_APPEND")).endsWith(" -Xms200m -Xmn48m");

        // one place for them: not through javaOptsAppend, never negative
        for (String bad : List.of("javaOptsAppend: \"-Xmn64m\"\n", "javaOptsAppend: \"-Xms64m\"\n",
                "javaOptsAppend: \"-XX:NewSize=64m\"\n", "javaYoungGenMiB: -1\n")) {
            Path values = tmp.resolve("heap-bad-" + Math.abs(bad.hashCode()) + ".yaml");
            Files.writeString(values, bad);
            assertThatThrownBy(() -> Charts.template(values)).as(bad).hasMessageContaining("schema");
        }
    }

    @Test
    void configIsMountedAsDeploymentsConfigApplicationYaml() {
        Charts.Rendered r = Charts.template(PRODUCTION);
        JsonNode container = r.container();
        JsonNode volume = r.configVolume();
        assertThat(volume.at("/configMap/name").asText()).isEqualTo("gw-guestops-gateway-config");
        assertThat(volume.at("/configMap/items/0/key").asText()).isEqualTo("application.yaml");
        String file = mountPath(container, "config") + "/" + volume.at("/configMap/items/0/path").asText();
        assertThat(file).isEqualTo("/deployments/config/application.yaml");
        assertThat(readOnly(container, "config")).isTrue();
        // Quarkus reads config/application.yaml relative to the working directory
        assertThat(container.path("workingDir").asText() + "/config/application.yaml").isEqualTo(file);
    }

    @Test
    void configChecksumRollsThePodsWhenTheConfigurationChanges() throws IOException {
        Charts.Rendered r = Charts.template(PRODUCTION);
        String checksum = r.one("Deployment").at("/spec/template/metadata/annotations/checksum~1config").asText();
        assertThat(checksum).matches("[0-9a-f]{64}");
        assertThat(Charts.template(PRODUCTION).one("Deployment")
                .at("/spec/template/metadata/annotations/checksum~1config").asText())
                .as("deterministic").isEqualTo(checksum);

        Path changed = tmp.resolve("changed.yaml");
        Files.writeString(changed, "gateway:\n  vms:\n    vm-44: esx-02\n");
        String other = templateWith(PRODUCTION, changed).one("Deployment")
                .at("/spec/template/metadata/annotations/checksum~1config").asText();
        assertThat(other).matches("[0-9a-f]{64}").isNotEqualTo(checksum);
    }

    @Test
    void selectorsDoNotContainTheVersionLabel() {
        Charts.Rendered r = Charts.template(PRODUCTION);
        JsonNode deployment = r.one("Deployment");
        Map<String, String> selector = labels(deployment.at("/spec/selector/matchLabels"));
        assertThat(selector).isEqualTo(Map.of(
                "app.kubernetes.io/name", "guestops-gateway", "app.kubernetes.io/instance", "gw"));
        assertThat(labels(deployment.at("/spec/template/metadata/labels"))).containsAllEntriesOf(selector)
                .containsKey("app.kubernetes.io/version");
        assertThat(labels(r.one("Service").at("/spec/selector"))).isEqualTo(selector);
        assertThat(labels(r.one("PodDisruptionBudget").at("/spec/selector/matchLabels"))).isEqualTo(selector);
        assertThat(labels(r.one("NetworkPolicy").at("/spec/podSelector/matchLabels"))).isEqualTo(selector);
        assertThat(labels(r.one("ServiceMonitor").at("/spec/selector/matchLabels"))).isEqualTo(selector);
        assertThat(labels(r.one("Service").at("/metadata/labels"))).containsAllEntriesOf(selector);
        for (JsonNode constraint : deployment.at("/spec/template/spec/topologySpreadConstraints")) {
            assertThat(labels(constraint.at("/labelSelector/matchLabels"))).isEqualTo(selector);
        }
    }

    @Test
    void replicasAreSpreadAcrossZonesAndNodes() {
        JsonNode constraints = Charts.template(null).one("Deployment").at("/spec/template/spec/topologySpreadConstraints");
        assertThat(constraints.findValuesAsText("topologyKey"))
                .containsExactly("topology.kubernetes.io/zone", "kubernetes.io/hostname");
        assertThat(constraints.findValuesAsText("whenUnsatisfiable")).containsOnly("ScheduleAnyway");
    }

    @Test
    void gracePeriodCoversTheShutdownDelayAndTheLongestCall() throws IOException {
        for (Path values : new Path[] {null, PRODUCTION}) {
            Charts.Rendered r = Charts.template(values);
            JsonNode quarkus = Charts.parseYaml(r.applicationYaml()).path("quarkus");
            long delay = Duration.parse("PT" + quarkus.at("/shutdown/delay").asText()).toSeconds();
            long timeout = Duration.parse("PT" + quarkus.at("/shutdown/timeout").asText()).toSeconds();
            JsonNode container = r.container();
            // the delay lets at least one readiness probe see the pod unready before it refuses requests
            assertThat(delay).isGreaterThanOrEqualTo(container.at("/readinessProbe/periodSeconds").asLong());
            // the last request accepted (at the end of the delay) may run its whole deadline (60 s)
            assertThat(timeout).as("drains a request for its whole deadline (60 s)").isGreaterThanOrEqualTo(60);
            assertThat(r.one("Deployment").at("/spec/template/spec/terminationGracePeriodSeconds").asLong())
                    .isGreaterThan(delay + timeout);
        }
        assertThat(Charts.template(null).one("Deployment").at("/spec/template/spec/terminationGracePeriodSeconds").asLong())
                .as("5 s delay + 65 s timeout + 10 s margin").isEqualTo(80);
        Path tooShort = tmp.resolve("short.yaml");
        Files.writeString(tooShort, "terminationGracePeriodSeconds: 70\n");
        assertThatThrownBy(() -> Charts.template(tooShort))
                .hasMessageContaining("terminationGracePeriodSeconds (70) must be larger than");
        for (String deadline : List.of("90s", "2m", "70", "66000ms")) {
            Path longDeadline = tmp.resolve("deadline-" + deadline + ".yaml");
            Files.writeString(longDeadline, "gateway:\n  resilience:\n    deadline: \"" + deadline + "\"\n");
            assertThatThrownBy(() -> Charts.template(longDeadline)).as(deadline)
                    .hasMessageContaining("shutdown.timeoutSeconds (65) must be at least gateway.resilience.deadline");
        }
        Path covered = tmp.resolve("covered.yaml");
        Files.writeString(covered, "gateway:\n  resilience:\n    deadline: 90s\nshutdown:\n  delaySeconds: 5\n  timeoutSeconds: 95\n");
        assertThat(Charts.template(covered).one("Deployment").at("/spec/template/spec/terminationGracePeriodSeconds").asLong())
                .isEqualTo(110);
    }

    @Test
    void serviceMonitorScrapesQuarkusMetricsThroughTheService() {
        Charts.Rendered r = Charts.template(PRODUCTION);
        JsonNode sm = r.one("ServiceMonitor");
        assertThat(sm.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(sm.at("/spec/endpoints/0/path").asText()).isEqualTo("/q/metrics");
        assertThat(sm.at("/spec/endpoints/0/port").asText()).isEqualTo("management");
        assertThat(sm.at("/spec/endpoints/0/scheme").asText()).isEqualTo("http");
        assertThat(sm.at("/metadata/labels/release").asText()).isEqualTo("kube-prometheus-stack");
        assertThat(sm.at("/spec/namespaceSelector/matchNames/0").asText()).isEqualTo("guestops");
        JsonNode port = r.one("Service").at("/spec/ports/0");
        assertThat(port.path("name").asText()).isEqualTo("http");
        assertThat(port.path("targetPort").asText()).isEqualTo("http");
        JsonNode management = r.one("Service").at("/spec/ports/1");
        assertThat(management.path("name").asText()).isEqualTo("management");
        assertThat(management.path("port").asInt()).isEqualTo(9000);
        assertThat(management.path("targetPort").asText()).isEqualTo("management");
    }

    @Test
    void prometheusRuleAlertsOnTheGatewayMetrics() {
        JsonNode rule = Charts.template(PRODUCTION).one("PrometheusRule");
        assertThat(rule.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(rule.at("/metadata/labels/release").asText()).isEqualTo("kube-prometheus-stack");
        JsonNode rules = rule.at("/spec/groups/0/rules");
        assertThat(rules.findValuesAsText("alert")).containsExactly(
                "GuestopsGatewayDown", "GuestopsHostErrorRatioHigh", "GuestopsTerminateLatencyHigh",
                "GuestopsHostCircuitBreakerOpen", "GuestopsHostRetryBudgetExhausted");
        String exprs = String.join("\n", rules.findValuesAsText("expr"));
        assertThat(exprs).contains("guestops_terminate_requests_total", "guestops_terminate_duration_seconds_bucket",
                "guestops_host_attempts_total", "guestops_host_circuit_breaker_state",
                "guestops_host_retry_budget_exhausted_total", "guestops_host_inflight",
                "job=\"gw-guestops-gateway\"", "namespace=\"guestops\"")
                .as("the gateway's own series only, not SmallRye's ft_*").doesNotContain("ft_");
        for (JsonNode r : rules) {
            if (!r.has("alert")) {
                assertThat(r.path("record").asText()).matches("[a-z_]+:guestops_[a-z_]+:[a-z0-9]+");
                continue;
            }
            String alert = r.path("alert").asText();
            assertThat(r.at("/labels/severity").asText()).as(alert).isIn("warning", "critical");
            // prometheusRule.alertLabels, for Alertmanager routing
            assertThat(r.at("/labels/team").asText()).as(alert).isEqualTo("vsphere-ops");
            assertThat(r.at("/annotations/summary").asText()).as(alert).isNotBlank();
            assertThat(r.at("/annotations/runbook_url").asText()).as(alert)
                    .isEqualTo("https://wiki.lab.example/guestops/runbook.md#" + alert.toLowerCase(java.util.Locale.ROOT));
            assertThat(r.path("for").asText()).matches("\\d+m");
        }
        // Prometheus' own templating survives Helm's
        assertThat(rules.findValuesAsText("summary")).anySatisfy(summary -> assertThat(summary).contains("{{ $labels.host }}"));
        // thresholds from values
        assertThat(exprs).contains("> 0.1\n", "le=~\"30(\\\\.0)?\"");
    }

    @Test
    void prometheusRuleJobDefaultsToTheServiceAndCanBeSet() throws IOException {
        Path values = tmp.resolve("job.yaml");
        Files.writeString(values, "prometheusRule:\n  enabled: true\n  job: kubernetes-pods\n");
        String exprs = String.join("\n", Charts.template(values).one("PrometheusRule").findValuesAsText("expr"));
        assertThat(exprs).contains("job=\"kubernetes-pods\"").doesNotContain("gw-guestops-gateway");
        Path off = tmp.resolve("latency.yaml");
        Files.writeString(off, "prometheusRule:\n  enabled: true\n  latencyThresholdSeconds: 27\n");
        assertThatThrownBy(() -> Charts.template(off)).as("27 s is no bucket bound").hasMessageContaining("schema");
    }

    @Test
    void autoscalingCanFollowTheCallsInFlightPerPod() throws IOException {
        // off by default: CPU only
        assertThat(Charts.template(PRODUCTION).one("HorizontalPodAutoscaler").at("/spec/metrics")).hasSize(1);
        Path values = tmp.resolve("inflight.yaml");
        Files.writeString(values, """
                autoscaling:
                  enabled: true
                  inflightCalls:
                    enabled: true
                    averageValue: 24
                """);
        JsonNode metrics = Charts.template(values).one("HorizontalPodAutoscaler").at("/spec/metrics");
        assertThat(metrics).hasSize(2);
        JsonNode pods = metrics.get(1);
        assertThat(pods.path("type").asText()).isEqualTo("Pods");
        assertThat(pods.at("/pods/metric/name").asText()).isEqualTo("guestops_inflight_calls");
        assertThat(pods.at("/pods/target/type").asText()).isEqualTo("AverageValue");
        assertThat(pods.at("/pods/target/averageValue").asText()).isEqualTo("24");
        assertThat(Charts.lint(values).isFailed()).isFalse();

        // in-flight calls alone
        Path only = tmp.resolve("inflight-only.yaml");
        Files.writeString(only, "autoscaling:\n  enabled: true\n  targetCPUUtilizationPercentage: null\n"
                + "  inflightCalls:\n    enabled: true\n");
        JsonNode alone = Charts.template(only).one("HorizontalPodAutoscaler").at("/spec/metrics");
        assertThat(alone).hasSize(1);
        assertThat(alone.at("/0/pods/target/averageValue").asText()).isEqualTo("32");
        // an HPA without any metric is refused
        Path none = tmp.resolve("no-metric.yaml");
        Files.writeString(none, "autoscaling:\n  enabled: true\n  targetCPUUtilizationPercentage: null\n");
        assertThatThrownBy(() -> Charts.template(none)).hasMessageContaining("autoscaling needs at least one metric");
    }

    @Test
    void podDisruptionBudgetKeepsPodsAvailable() {
        JsonNode pdb = Charts.template(PRODUCTION).one("PodDisruptionBudget");
        assertThat(pdb.path("apiVersion").asText()).isEqualTo("policy/v1");
        assertThat(pdb.at("/spec/minAvailable").asInt()).isEqualTo(2);
        assertThat(pdb.at("/spec/maxUnavailable").isMissingNode()).isTrue();
        assertThat(Charts.template(null).one("PodDisruptionBudget").at("/spec/minAvailable").asInt()).isEqualTo(1);
    }

    @Test
    void horizontalPodAutoscalerOwnsTheReplicaCountWhenEnabled() {
        Charts.Rendered r = Charts.template(PRODUCTION);
        JsonNode hpa = r.one("HorizontalPodAutoscaler");
        assertThat(hpa.path("apiVersion").asText()).isEqualTo("autoscaling/v2");
        assertThat(hpa.at("/spec/scaleTargetRef/kind").asText()).isEqualTo("Deployment");
        assertThat(hpa.at("/spec/scaleTargetRef/name").asText()).isEqualTo(name(r.one("Deployment")));
        assertThat(hpa.at("/spec/minReplicas").asInt()).isEqualTo(3);
        assertThat(hpa.at("/spec/maxReplicas").asInt()).isEqualTo(10);
        assertThat(hpa.at("/spec/metrics/0/resource/name").asText()).isEqualTo("cpu");
        assertThat(hpa.at("/spec/metrics/0/resource/target/averageUtilization").asInt()).isEqualTo(70);
        assertThat(r.one("Deployment").at("/spec/replicas").isMissingNode())
                .as("no replicas in the Deployment: the HPA owns them").isTrue();
    }

    @Test
    void networkPolicyAdmitsCallersAndPrometheusAndLetsOutOnlyDnsAndHostPorts() {
        JsonNode np = Charts.template(PRODUCTION).one("NetworkPolicy");
        assertThat(np.at("/spec/policyTypes").toString()).isEqualTo("[\"Ingress\",\"Egress\"]");
        JsonNode ingress = np.at("/spec/ingress");
        assertThat(ingress).hasSize(2);
        // callers on the callers' port, Prometheus on the management port: neither reaches the other's
        assertThat(ingress.at("/0/ports").toString()).isEqualTo("[{\"port\":\"http\",\"protocol\":\"TCP\"}]");
        assertThat(ingress.at("/0/from")).hasSize(1);
        assertThat(ingress.at("/0/from/0/podSelector/matchLabels/guestops-gateway~1client").asText()).isEqualTo("true");
        assertThat(ingress.at("/1/ports").toString()).isEqualTo("[{\"port\":\"management\",\"protocol\":\"TCP\"}]");
        JsonNode from = ingress.at("/1/from");
        assertThat(from).hasSize(1);
        assertThat(from.at("/0/podSelector/matchLabels/app.kubernetes.io~1name").asText()).isEqualTo("prometheus");
        assertThat(from.at("/0/namespaceSelector/matchLabels/kubernetes.io~1metadata.name").asText()).isEqualTo("monitoring");

        JsonNode egress = np.at("/spec/egress");
        assertThat(egress).hasSize(3);
        assertThat(egress.at("/0/ports").toString())
                .isEqualTo("[{\"port\":53,\"protocol\":\"UDP\"},{\"port\":53,\"protocol\":\"TCP\"}]");
        assertThat(egress.at("/0/to/0/podSelector/matchLabels/k8s-app").asText()).isEqualTo("kube-dns");
        // the hosts' URL ports: 443 (https without a port) and esx-02's explicit 8443
        assertThat(egress.at("/1/to").toString()).isEqualTo("[{\"ipBlock\":{\"cidr\":\"10.20.0.0/16\"}}]");
        assertThat(egress.at("/1/ports").toString())
                .isEqualTo("[{\"port\":443,\"protocol\":\"TCP\"},{\"port\":8443,\"protocol\":\"TCP\"}]");
        // extraRules: the token issuer's JWKS endpoint (caller authentication)
        assertThat(egress.at("/2/to/0/ipBlock/cidr").asText()).isEqualTo("10.30.1.0/24");
        assertThat(egress.at("/2/ports/0/port").asInt()).isEqualTo(443);
    }

    @Test
    void dnsPeersAndPortsAreConfigurableForNodeLocalDnsAndOpenShift() throws IOException {
        Path nodeLocal = tmp.resolve("nodelocal.yaml");
        Files.writeString(nodeLocal, """
                networkPolicy:
                  enabled: true
                  egress:
                    dns:
                      to:
                        - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}
                          podSelector: {matchLabels: {k8s-app: kube-dns}}
                        - ipBlock: {cidr: 169.254.20.10/32}
                """);
        JsonNode dns = Charts.template(nodeLocal).one("NetworkPolicy").at("/spec/egress/0");
        assertThat(dns.at("/to/1/ipBlock/cidr").asText()).isEqualTo("169.254.20.10/32");
        assertThat(dns.at("/to/0/podSelector/matchLabels/k8s-app").asText()).isEqualTo("kube-dns");
        assertThat(dns.path("ports").toString())
                .isEqualTo("[{\"port\":53,\"protocol\":\"UDP\"},{\"port\":53,\"protocol\":\"TCP\"}]");

        Path openShift = tmp.resolve("openshift.yaml");
        Files.writeString(openShift, """
                networkPolicy:
                  enabled: true
                  egress:
                    dns:
                      to:
                        - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: openshift-dns}}
                          podSelector: {matchLabels: {dns.operator.openshift.io/daemonset-dns: default}}
                      ports: [5353]
                """);
        dns = Charts.template(openShift).one("NetworkPolicy").at("/spec/egress/0");
        assertThat(dns.path("to")).hasSize(1);
        assertThat(dns.at("/to/0/namespaceSelector/matchLabels/kubernetes.io~1metadata.name").asText()).isEqualTo("openshift-dns");
        assertThat(dns.path("ports").toString())
                .isEqualTo("[{\"port\":5353,\"protocol\":\"UDP\"},{\"port\":5353,\"protocol\":\"TCP\"}]");
        assertThat(Charts.lint(openShift).isFailed()).isFalse();

        Path noPeer = tmp.resolve("nodns.yaml");
        Files.writeString(noPeer, "networkPolicy:\n  egress:\n    dns:\n      to: []\n");
        assertThatThrownBy(() -> Charts.template(noPeer)).as("DNS egress needs a peer").hasMessageContaining("schema");
    }

    @Test
    void notesTellHowToEnforcePodSecurityOnTheNamespace() {
        // helm creates no namespace (helm install --create-namespace labels nothing): the notes say how
        assertThat(Charts.notes(null)).contains("kubectl label --overwrite namespace guestops",
                "pod-security.kubernetes.io/enforce=restricted", "pod-security.kubernetes.io/warn=restricted");
    }

    @Test
    void grafanaDashboardConfigMapCarriesTheSidecarLabelAndTheDashboard() throws IOException {
        Charts.Rendered r = Charts.template(PRODUCTION);
        JsonNode cm = r.one("ConfigMap", "gw-guestops-gateway-dashboard");
        assertThat(cm.at("/metadata/labels/grafana_dashboard").asText()).isEqualTo("1");
        assertThat(cm.at("/metadata/annotations/grafana_folder").asText()).isEqualTo("guestops");
        JsonNode dashboard = Charts.JSON.readTree(cm.at("/data/guestops-gateway.json").asText());
        assertThat(dashboard.path("uid").asText()).isEqualTo("guestops-gateway");
        assertThat(dashboard).isEqualTo(Charts.JSON.readTree(
                Charts.CHART.resolve("dashboards/guestops-gateway.json").toFile()));
        String exprs = String.join("\n", dashboard.findValuesAsText("expr"));
        assertThat(exprs).contains("guestops_terminate_requests", "guestops_terminate_duration_seconds_bucket",
                "guestops_host_circuit_breaker_state", "guestops_host_retry_budget_exhausted");
    }

    @Test
    void notesWarnWhenTheDashboardHasNoRecordingRules() throws IOException {
        Path values = tmp.resolve("dashboard-only.yaml");
        Files.writeString(values, "grafanaDashboard:\n  enabled: true\n");
        assertThat(Charts.notes(values)).contains("reads the recording rules");
        assertThat(Charts.notes(PRODUCTION)).doesNotContain("reads the recording rules");
    }

    @Test
    void everyDashboardPanelFollowsTheVariablesAndReadsSeriesThatExist() throws IOException {
        JsonNode dashboard = Charts.JSON.readTree(Charts.CHART.resolve("dashboards/guestops-gateway.json").toFile());
        assertThat(dashboard.at("/templating/list").findValuesAsText("name")).contains("datasource", "namespace", "job", "host");
        JsonNode rule = Charts.template(PRODUCTION).one("PrometheusRule");
        java.util.Set<String> recorded = new java.util.HashSet<>(rule.findValuesAsText("record"));
        java.util.Set<Integer> ids = new java.util.HashSet<>();
        Pattern recordedName = Pattern.compile("\\b([a-z_]+:guestops_[a-z_]+:[a-z0-9]+)\\b");
        for (JsonNode panel : dashboard.path("panels")) {
            assertThat(ids.add(panel.path("id").asInt())).as("unique panel id %s", panel.path("id")).isTrue();
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText();
                String title = panel.path("title").asText();
                assertThat(expr).as(title).contains("namespace=~\"$namespace\"");
                if (!expr.contains("container_") && !expr.contains("kube_pod_")) {
                    assertThat(expr).as(title).contains("job=~\"$job\"");
                }
                // every panel about hosts follows the host selector
                String perHost = expr.replaceAll("namespace_job_pod:[a-z_]+:[a-z0-9]+", "");
                if (perHost.matches("(?s).*(guestops_host_|guestops_terminate_|guestops_vm_cooldown_rejections).*")) {
                    assertThat(expr).as(title).contains("host=~\"$host\"");
                }
                Matcher m = recordedName.matcher(expr);
                while (m.find()) {
                    assertThat(recorded).as("%s reads a recording rule of the PrometheusRule", title).contains(m.group(1));
                }
            }
        }
        String exprs = String.join("\n", dashboard.findValuesAsText("expr"));
        // JVM and pod panels: heap, GC pauses, event-loop backlog, memory against the pod's limit, CPU
        assertThat(exprs).contains("jvm_memory_used_bytes", "jvm_gc_pause_seconds", "netty_eventexecutor_tasks_pending",
                "container_memory_working_set_bytes", "kube_pod_container_resource_limits",
                "container_cpu_usage_seconds_total", "namespace_job_pod:guestops_host_inflight:sum");
    }

    // ---- hosts and secrets -------------------------------------------------------------------------

    @Test
    void hostsAreRenderedWithTheConfigurationContractNames() {
        JsonNode gateway = Charts.parseYaml(Charts.template(PRODUCTION).applicationYaml()).path("gateway");
        JsonNode esx = gateway.at("/hosts/esx-02");
        assertThat(esx.path("type").asText()).isEqualTo("vim25");
        assertThat(esx.path("url").asText()).isEqualTo("https://esx-02.lab.example:8443/sdk");
        assertThat(esx.path("username").asText()).isEqualTo("svc-guestops");
        assertThat(esx.path("tls-configuration-name").asText()).isEqualTo("lab");
        assertThat(gateway.at("/hosts/vcenter-01/type").asText()).isEqualTo("vapi");
        assertThat(gateway.at("/hosts/vcenter-01/connect-timeout").asText()).isEqualTo("5s");
        assertThat(gateway.at("/hosts/vcenter-01/max-pool-size").asInt()).isEqualTo(16);
        assertThat(gateway.at("/hosts/vcenter-01/discoverable").asBoolean(false)).isTrue();
        assertThat(esx.has("discoverable")).as("only rendered when set").isFalse();
        assertThat(gateway.at("/discovery/negative-ttl").asText()).isEqualTo("30s");
        assertThat(gateway.path("vms").toString())
                .isEqualTo("{\"vm-42\":\"esx-01\",\"vm-43\":\"esx-02\",\"vm-538:b3ab\":\"vcenter-01\"}");
        JsonNode quarkus = Charts.parseYaml(Charts.template(PRODUCTION).applicationYaml()).path("quarkus");
        assertThat(quarkus.at("/tls/lab/trust-store/pem/certs").asText()).isEqualTo("/deployments/tls/lab/ca.crt");
        assertThat(quarkus.at("/log/category/com.guestops/level").asText()).as("extraConfig merged").isEqualTo("DEBUG");
    }

    @Test
    void hostPasswordsAreOnlyEverReferencedFromSecrets() {
        Charts.Rendered r = Charts.template(PRODUCTION);
        // the plain text is nowhere in the output (the chart-created Secret holds it base64-encoded)
        assertThat(r.yaml()).doesNotContain(INLINE_PASSWORD);
        for (JsonNode cm : r.all("ConfigMap")) {
            for (JsonNode value : cm.path("data")) {
                assertThat(value.asText()).as(name(cm)).doesNotContain(INLINE_PASSWORD);
            }
        }
        JsonNode hosts = Charts.parseYaml(r.applicationYaml()).at("/gateway/hosts");
        Map<String, String> envByHost = new HashMap<>();
        hosts.fields().forEachRemaining(host -> {
            Matcher m = ENV_REFERENCE.matcher(host.getValue().path("password").asText());
            assertThat(m.matches()).as("gateway.hosts.%s.password is an ${ENV} reference", host.getKey()).isTrue();
            envByHost.put(host.getKey(), m.group(1));
        });
        assertThat(envByHost).containsOnlyKeys("esx-01", "esx-02", "vcenter-01");

        Map<String, JsonNode> env = new HashMap<>();
        r.container().path("env").forEach(e -> env.put(e.path("name").asText(), e));
        List<String> secretRefs = new ArrayList<>();
        envByHost.forEach((host, variable) -> {
            JsonNode e = env.get(variable);
            assertThat(e).as(variable).isNotNull();
            assertThat(e.has("value")).as("%s has no literal value", variable).isFalse();
            JsonNode ref = e.at("/valueFrom/secretKeyRef");
            assertThat(ref.path("name").asText()).as(variable).isNotEmpty();
            secretRefs.add(ref.path("name").asText() + "/" + ref.path("key").asText());
        });
        assertThat(secretRefs).containsExactlyInAnyOrder("guestops-host-passwords/esx-01",
                "guestops-host-passwords/esx-02", "gw-guestops-gateway-hosts/vcenter-01-password");
        // the inline password went into the chart-created Secret, and only there
        assertThat(r.secretValue("gw-guestops-gateway-hosts", "vcenter-01-password")).contains(INLINE_PASSWORD);
        assertThat(r.one("Secret").path("data")).hasSize(1);
    }

    @Test
    void noSecretIsCreatedWhenEveryPasswordComesFromAnExistingSecret() throws IOException {
        Path values = tmp.resolve("refs.yaml");
        Files.writeString(values, """
                gateway:
                  hosts:
                    esx-01:
                      type: vim25
                      url: https://esx-01.lab.example/sdk
                      username: svc
                      passwordSecretRef: {name: mine}
                """);
        Charts.Rendered r = Charts.template(values);
        assertThat(r.all("Secret")).isEmpty();
        assertThat(r.container().toString()).contains("\"secretKeyRef\":{\"name\":\"mine\",\"key\":\"esx-01-password\"}");
    }

    @Test
    void theDocumentedValuesExampleRendersAndLints() throws IOException {
        String doc = Files.readString(Charts.ROOT.resolve("docs/deploy.md"));
        int helm = doc.indexOf("\n## Helm\n");
        assertThat(helm).as("a Helm section in docs/deploy.md").isPositive();
        int start = doc.indexOf("```yaml", helm);
        assertThat(start).as("a yaml block in the Helm section of docs/deploy.md").isPositive();
        String example = doc.substring(start + "```yaml".length(), doc.indexOf("```", start + 7));
        Path values = tmp.resolve("readme-values.yaml");
        Files.writeString(values, example);
        Charts.Rendered r = Charts.template(values);
        assertThat(Charts.parseYaml(r.applicationYaml()).at("/gateway/hosts").size()).isEqualTo(3);
        assertThat(r.kinds()).contains("NetworkPolicy", "HorizontalPodAutoscaler", "ServiceMonitor", "PrometheusRule");
        LintResult lint = Charts.lint(values);
        assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();
    }

    // ---- what the chart refuses ----------------------------------------------------------------------

    @Test
    void refusesAVim25HostWithoutAPassword() throws IOException {
        Path values = tmp.resolve("nopw.yaml");
        Files.writeString(values, """
                gateway:
                  hosts:
                    esx-01: {type: vim25, url: "https://esx-01.lab.example/sdk", username: svc}
                """);
        assertThatThrownBy(() -> Charts.template(values)).hasMessageContaining("esx-01");
    }

    @Test
    void refusesHostsInExtraConfigAndVmsOfUnknownHosts() throws IOException {
        Path extra = tmp.resolve("extra.yaml");
        Files.writeString(extra, """
                extraConfig:
                  gateway:
                    hosts:
                      esx-01: {type: vim25, password: plain}
                """);
        assertThatThrownBy(() -> Charts.template(extra)).hasMessageContaining("extraConfig.gateway.hosts is not allowed");
        Path vms = tmp.resolve("vms.yaml");
        Files.writeString(vms, "gateway:\n  vms:\n    vm-1: nowhere\n");
        assertThatThrownBy(() -> Charts.template(vms)).hasMessageContaining("nowhere");
    }

    // ---- HTTPS for callers (tls.*, docs/tls.md) ---------------------------------------------------

    /** values-app-tls.yaml: HTTPS from an existing Secret, client certificates of a CA from a ConfigMap. */
    @Test
    void httpsModeServesCallersOnlyOverTlsWithTheSecretsCertificate() {
        Charts.Rendered r = Charts.template(VALUES.resolve("values-app-tls.yaml"));
        JsonNode container = r.container();
        assertThat(container.path("ports")).hasSize(2);
        assertThat(container.at("/ports/0/name").asText()).isEqualTo("https");
        assertThat(container.at("/ports/0/containerPort").asInt()).isEqualTo(8443);
        assertThat(container.at("/ports/1/name").asText()).isEqualTo("management");
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            assertThat(container.at("/" + probe + "/httpGet/port").asText()).as(probe).isEqualTo("management");
            assertThat(container.at("/" + probe + "/httpGet/scheme").asText()).as(probe).isEqualTo("HTTP");
        }
        JsonNode pod = r.one("Deployment").at("/spec/template/spec");
        assertThat(volume(pod, "tls-server").at("/secret/secretName").asText()).isEqualTo("guestops-gateway-tls");
        assertThat(readOnly(container, "tls-server")).isTrue();
        assertThat(volume(pod, "tls-client-ca").at("/configMap/name").asText()).isEqualTo("guestops-callers-ca");
        for (JsonNode mount : container.path("volumeMounts")) {
            assertThat(mount.has("subPath")).as("no subPath: a renewed certificate must appear in place").isFalse();
        }

        JsonNode config = Charts.parseYaml(r.applicationYaml());
        JsonNode http = config.at("/quarkus/http");
        assertThat(http.path("insecure-requests").asText()).isEqualTo("disabled");
        assertThat(http.path("ssl-port").asInt()).isEqualTo(8443);
        assertThat(http.path("tls-configuration-name").asText()).isEqualTo("https");
        // client certificates: the gateway's switch (the HTTPS server then asks for them), not Quarkus' build-time one
        assertThat(http.has("tls-client-auth")).isFalse();
        JsonNode tls = config.at("/quarkus/tls/https");
        assertThat(tls.at("/key-store/pem/server/cert").asText()).isEqualTo("/deployments/tls-server/tls.crt");
        assertThat(tls.at("/key-store/pem/server/key").asText()).isEqualTo("/deployments/tls-server/tls.key");
        assertThat(tls.at("/trust-store/pem/certs").asText()).isEqualTo("/deployments/tls-client-ca/ca.crt");
        assertThat(tls.path("reload-period").asText()).isEqualTo("5s");
        assertThat(config.at("/gateway/auth/client-certificate-required").asBoolean()).isTrue();
        assertThat(config.at("/quarkus/management/port").asInt()).isEqualTo(9000);

        JsonNode ports = r.one("Service").at("/spec/ports");
        assertThat(ports).hasSize(2);
        assertThat(ports.at("/0/name").asText()).isEqualTo("https");
        assertThat(ports.at("/0/port").asInt()).isEqualTo(8443);
        assertThat(ports.at("/0/targetPort").asText()).isEqualTo("https");
        assertThat(ports.at("/1/name").asText()).isEqualTo("management");
        assertThat(r.kinds()).doesNotContain("Certificate");
        assertThat(Charts.notes(VALUES.resolve("values-app-tls.yaml"))).contains("https://gw-guestops-gateway.guestops.svc:8443/")
                .contains("HTTPS only").contains("port-forward svc/gw-guestops-gateway 8443:8443 9000:9000");
        LintResult lint = Charts.lint(VALUES.resolve("values-app-tls.yaml"));
        assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();
    }

    @Test
    void certManagerIssuesTheCertificateTheNetworkPolicyAndServiceMonitorFollow() throws IOException {
        Path values = tmp.resolve("cert-manager.yaml");
        Files.writeString(values, """
                tls:
                  enabled: true
                  certManager:
                    enabled: true
                    issuerRef: {name: cluster-ca, kind: ClusterIssuer}
                networkPolicy:
                  enabled: true
                serviceMonitor:
                  enabled: true
                """);
        Charts.Rendered r = Charts.template(values);
        JsonNode certificate = r.one("Certificate");
        assertThat(certificate.path("apiVersion").asText()).isEqualTo("cert-manager.io/v1");
        assertThat(certificate.at("/spec/secretName").asText()).isEqualTo("gw-guestops-gateway-tls");
        assertThat(certificate.at("/spec/issuerRef/name").asText()).isEqualTo("cluster-ca");
        assertThat(certificate.at("/spec/issuerRef/kind").asText()).isEqualTo("ClusterIssuer");
        assertThat(certificate.at("/spec/privateKey/encoding").asText()).isEqualTo("PKCS8");
        assertThat(certificate.at("/spec/dnsNames").toString()).isEqualTo("[\"gw-guestops-gateway\",\"gw-guestops-gateway.guestops\","
                + "\"gw-guestops-gateway.guestops.svc\",\"gw-guestops-gateway.guestops.svc.cluster.local\"]");
        JsonNode pod = r.one("Deployment").at("/spec/template/spec");
        assertThat(volume(pod, "tls-server").at("/secret/secretName").asText()).isEqualTo("gw-guestops-gateway-tls");
        // the Service's DNS names are the certificate's
        assertThat(name(r.one("Service"))).isEqualTo("gw-guestops-gateway");
        assertThat(Charts.parseYaml(r.applicationYaml()).at("/gateway/auth/client-certificate-required").isMissingNode()).isTrue();
        JsonNode ingress = r.one("NetworkPolicy").at("/spec/ingress");
        assertThat(ingress.at("/0/ports/0/port").asText()).isEqualTo("https");
        assertThat(ingress.at("/1/ports/0/port").asText()).isEqualTo("management");
        assertThat(r.one("ServiceMonitor").at("/spec/endpoints/0/port").asText()).isEqualTo("management");
        assertThat(r.one("ServiceMonitor").at("/spec/endpoints/0/scheme").asText()).isEqualTo("http");
        LintResult lint = Charts.lint(values);
        assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();
    }

    @Test
    void httpsValuesThatCannotWorkAreRefused() throws IOException {
        Map<String, String> refused = Map.of(
                "tls.enabled needs tls.secretName", "tls:\n  enabled: true\n",
                "tls.clientAuth.enabled needs tls.enabled", "tls:\n  clientAuth: {enabled: true, caConfigMap: ca}\n",
                "tls.clientAuth.enabled needs tls.clientAuth.caConfigMap or tls.clientAuth.caSecret",
                "tls:\n  enabled: true\n  secretName: s\n  clientAuth: {enabled: true}\n",
                "tls.certManager.issuerRef.name is required", "tls:\n  enabled: true\n  certManager: {enabled: true}\n",
                "trustStores.https is reserved",
                "tls:\n  enabled: true\n  secretName: s\ntrustStores:\n  https: {configMap: ca}\n");
        for (Map.Entry<String, String> e : refused.entrySet()) {
            Path values = tmp.resolve("tls-" + Math.abs(e.getKey().hashCode()) + ".yaml");
            Files.writeString(values, e.getValue());
            assertThatThrownBy(() -> Charts.template(values)).as(e.getKey()).hasMessageContaining(e.getKey());
        }
        Path misspelt = tmp.resolve("tls-misspelt.yaml");
        Files.writeString(misspelt, "tls:\n  enabled: true\n  secret: s\n");
        assertThatThrownBy(() -> Charts.template(misspelt)).hasMessageContaining("schema");
    }

    @Test
    void schemaRejectsBadValues() throws IOException {
        Map<String, String> bad = Map.of(
                "upper-case host name (not a metric tag)", "gateway:\n  hosts:\n    ESX01: {type: simulator}\n",
                "unknown host type", "gateway:\n  hosts:\n    esx-01: {type: soap}\n",
                "unknown top-level key", "replicas: 3\n",
                "password and passwordSecretRef together",
                "gateway:\n  hosts:\n    esx-01: {type: vim25, url: \"https://e/sdk\", username: u, password: p, passwordSecretRef: {name: s}}\n",
                "probe path without a slash", "probes:\n  liveness: {path: q/health/live}\n",
                "misspelt resilience key", "gateway:\n  resilience:\n    retry: {max-retry: 2}\n",
                "resilience duration without a unit word", "gateway:\n  resilience:\n    deadline: soon\n",
                "misspelt auth key", "gateway:\n  auth:\n    required-roles: ops\n",
                "misspelt auth rule key", "gateway:\n  auth:\n    rules:\n      - {subject: [svc-a]}\n",
                "VM pattern with a character no VM id has", "gateway:\n  auth:\n    rules:\n      - {vms: [\"vm/1\"]}\n");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            Path values = tmp.resolve("bad-" + Math.abs(e.getKey().hashCode()) + ".yaml");
            Files.writeString(values, e.getValue());
            assertThatThrownBy(() -> Charts.template(values)).as(e.getKey()).hasMessageContaining("schema");
        }
    }

    @Test
    void resilienceIsRenderedVerbatimGloballyAndPerHost() {
        JsonNode gateway = Charts.parseYaml(Charts.template(PRODUCTION).applicationYaml()).path("gateway");
        assertThat(gateway.at("/resilience/attempt-timeout").asText()).isEqualTo("30s");
        assertThat(gateway.at("/resilience/retry/max-retries").asInt()).isEqualTo(2);
        assertThat(gateway.at("/resilience/circuit-breaker/delay").asText()).isEqualTo("1m");
        assertThat(gateway.at("/hosts/vcenter-01/resilience/bulkhead/max-concurrent").asInt()).isEqualTo(16);
        assertThat(gateway.at("/hosts/esx-01/resilience").isMissingNode()).isTrue();
    }

    @Test
    void sectionsOfNewerGatewayVersionsAreRenderedOnlyWhenSet() throws IOException {
        JsonNode rendered = Charts.parseYaml(Charts.template(PRODUCTION).applicationYaml()).path("gateway");
        assertThat(rendered.fieldNames()).toIterable().containsExactlyInAnyOrder("hosts", "vms", "resilience", "discovery", "auth");
        Path values = tmp.resolve("future.yaml");
        Files.writeString(values, "gateway:\n  discovery:\n    enabled: true\n    ttl: 5m\n");
        JsonNode gateway = Charts.parseYaml(templateWith(PRODUCTION, values).applicationYaml()).path("gateway");
        assertThat(gateway.at("/discovery/ttl").asText()).isEqualTo("5m");
        assertThat(Charts.parseYaml(Charts.template(Charts.VALUES.resolve("values-k8s.yaml")).applicationYaml())
                .path("gateway").has("auth")).as("auth rendered only when set").isFalse();
        assertThat(Charts.parseYaml(Charts.template(null).applicationYaml()).has("gateway")).isFalse();
    }

    @Test
    void callerAuthenticationIsConfiguredThroughAuthAndExtraConfig() {
        JsonNode config = Charts.parseYaml(Charts.template(PRODUCTION).applicationYaml());
        JsonNode auth = config.at("/gateway/auth");
        assertThat(auth.path("required-role").asText()).isEqualTo("guestops.terminate");
        assertThat(auth.at("/rules/0/subjects/0").asText()).isEqualTo("system:serviceaccount:batch:reaper");
        assertThat(auth.at("/rules/0/vms/0").asText()).isEqualTo("vm-4*");
        assertThat(auth.at("/rules/0/hosts")).hasSize(2);
        assertThat(auth.at("/rules/1/groups/0").asText()).isEqualTo("sre");
        // the verification key, issuer and audience: MicroProfile JWT properties, through extraConfig
        assertThat(config.at("/mp/jwt/verify/publickey/location").asText()).startsWith("https://");
        assertThat(config.at("/mp/jwt/verify/issuer").asText()).isNotEmpty();
        assertThat(config.at("/mp/jwt/verify/audiences").asText()).isEqualTo("guestops-gateway");
    }

    // ---- helpers -----------------------------------------------------------------------------------

    private Charts.Rendered templateWith(Path base, Path override) throws IOException {
        Path merged = tmp.resolve("merged-" + System.nanoTime() + ".yaml");
        Charts.YAML.writeValue(merged.toFile(), Charts.merge(Charts.readYaml(base), Charts.readYaml(override)));
        return Charts.template(merged);
    }

    static String mountPath(JsonNode container, String volume) {
        for (JsonNode mount : container.path("volumeMounts")) {
            if (volume.equals(mount.path("name").asText())) {
                return mount.path("mountPath").asText();
            }
        }
        throw new AssertionError("no mount of volume " + volume);
    }

    static boolean readOnly(JsonNode container, String volume) {
        for (JsonNode mount : container.path("volumeMounts")) {
            if (volume.equals(mount.path("name").asText())) {
                return mount.path("readOnly").asBoolean();
            }
        }
        return false;
    }

    static JsonNode volume(JsonNode podSpec, String name) {
        for (JsonNode v : podSpec.path("volumes")) {
            if (name.equals(v.path("name").asText())) {
                return v;
            }
        }
        throw new AssertionError("no volume " + name);
    }
}
