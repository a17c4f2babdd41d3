package com.guestops.gateway.observability;

import static com.guestops.gateway.support.VapiCall.delete;
import static org.assertj.core.api.Assertions.assertThat;

import com.guestops.gateway.api.Flavour;
import com.guestops.gateway.support.MetricsScrape;
import com.guestops.gateway.support.Promtool;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code promtool check metrics} on a real scrape of the running test application: every series on
 * {@code /q/metrics} (ours, SmallRye's {@code ft_*}, Quarkus's binders) follows Prometheus conventions.
 * The alert rules are checked by {@code deploy.AlertRulesTest}.
 */
@QuarkusTest
class PromtoolTest {

    @Test
    void realScrapePassesPromtoolCheckMetrics() throws Exception {
        Promtool.path();
        for (Flavour f : Flavour.values()) {
            delete(f, "vm-1", 1000).send();
            delete(f, "vm-2", 1000).send();
            delete(f, "vm-4", 1000).send();
            delete(f, "vm-1", "0").send();
        }
        String scrape = MetricsScrape.take().text();
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/metrics-scrape.txt"), scrape);
        String output = Promtool.run(scrape, "check", "metrics");
        assertThat(output).as("promtool lint findings").isBlank();
    }
}
