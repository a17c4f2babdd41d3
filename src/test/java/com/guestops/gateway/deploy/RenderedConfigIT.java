package com.guestops.gateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.guestops.gateway.support.TestTokens;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The application.yaml the chart renders is loaded by the real, packaged application, started the way
 * the pod starts it ({@link PackagedApp}): it serves health, metrics and terminate calls with it.
 */
class RenderedConfigIT {

    @TempDir
    Path workDir;

    PackagedApp app;

    @AfterEach
    void stop() throws InterruptedException {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void theAppServesWithTheConfigurationTheChartRenders() throws Exception {
        Charts.Rendered rendered = Charts.template("it", "guestops", Charts.VALUES.resolve("values-app.yaml"));
        app = PackagedApp.start(rendered, workDir);
        Map<String, String> env = app.env;
        assertThat(env).containsKey("GUESTOPS_HOST_PASSWORD_SIM_A");
        app.awaitReady();

        assertThat(app.management("/q/health/ready").statusCode()).isEqualTo(200);
        assertThat(app.management("/q/health/live").statusCode()).isEqualTo(200);
        assertThat(app.management("/q/health/started").statusCode()).isEqualTo(200);
        // what the ServiceMonitor scrapes
        HttpResponse<String> metrics = app.management("/q/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("# TYPE ");

        // real hosts: callers need a bearer token, verified with the key the chart put in application.yaml
        HttpResponse<String> anonymous = app.post("/api/vcenter/vm/vm-1/guest/processes/1000?action=delete", null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"guestops-gateway\"");
        assertThat(anonymous.body()).contains("com.guestops.gateway.auth.token_missing");

        // vm-1 -> sim-a (the demo inventory: root may kill the respawning worker 1000)
        assertThat(app.post("/api/vcenter/vm/vm-1/guest/processes/1000?action=delete").statusCode()).isEqualTo(204);
        assertThat(app.post("/rest/vcenter/vm/vm-1/guest/processes/1000?action=delete").statusCode()).isEqualTo(200);
        // vm-2 -> sim-b: powered off there
        HttpResponse<String> off = app.post("/api/vcenter/vm/vm-2/guest/processes/1000?action=delete");
        assertThat(off.statusCode()).isEqualTo(400);
        assertThat(off.body()).contains("NOT_ALLOWED_IN_CURRENT_STATE");
        // vm-5 is in both hosts' (demo) inventories but not in the rendered directory: discovery (on with
        // two hosts) finds two claimants and refuses to guess
        HttpResponse<String> ambiguous = app.post("/api/vcenter/vm/vm-5/guest/processes/1000?action=delete");
        assertThat(ambiguous.statusCode()).isEqualTo(500);
        assertThat(ambiguous.body()).contains("com.guestops.gateway.vm.ambiguous_route");
        // a VM no host has: no route, so the built-in demo VMs are not merged in either
        HttpResponse<String> unrouted = app.post("/api/vcenter/vm/vm-77/guest/processes/1000?action=delete");
        assertThat(unrouted.statusCode()).isEqualTo(404);
        assertThat(unrouted.body()).contains("com.guestops.gateway.vm.no_route");

        // the series the PrometheusRule and the Grafana dashboard are written against
        String scrape = app.management("/q/metrics").body();
        assertThat(scrape).contains("guestops_terminate_requests_total{", "guestops_terminate_duration_seconds_bucket{",
                "guestops_host_circuit_breaker_state{", "guestops_host_inflight{");
        assertThat(scrape).containsPattern("guestops_host_circuit_breaker_state\\{[^}]*host=\"sim-b\"");

        String output = app.output();
        assertThat(output).contains("Host 'sim-a' registered", "Host 'sim-b' registered", "Caller authentication ENFORCED")
                .doesNotContain("embedded SIMULATOR")
                .doesNotContain(env.get("GUESTOPS_HOST_PASSWORD_SIM_A")).doesNotContain(TestTokens.suite());

        // SIGTERM, as the kubelet sends it: the app stops well within terminationGracePeriodSeconds
        long grace = app.gracePeriodSeconds();
        app.process.destroy();
        assertThat(app.process.waitFor(grace, TimeUnit.SECONDS)).as("stopped within %s s", grace).isTrue();
    }
}
