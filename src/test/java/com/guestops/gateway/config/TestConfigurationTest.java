package com.guestops.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Properties;
import java.util.Set;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * The shipped defaults (src/main/resources/application.properties) and the test configuration
 * (src/test/resources/application.properties) are two files: Quarkus must read both, and no key may be
 * set in both (which one would win is not specified).
 */
@QuarkusTest
class TestConfigurationTest {

    private static Properties load(String file) throws IOException {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(Path.of(file))) {
            p.load(in);
        }
        return p;
    }

    @Test
    void quarkusReadsTheShippedDefaultsAndTheTestConfiguration() {
        var config = ConfigProvider.getConfig();
        // only in src/main/resources
        assertThat(config.getValue("quarkus.http.limits.max-body-size", String.class)).isEqualTo("64K");
        assertThat(config.getValue("mp.jwt.verify.clock.skew", Integer.class)).isEqualTo(30);
        // only in src/test/resources (%test)
        assertThat(config.getValue("gateway.hosts.demo.type", String.class)).isEqualTo("simulator");
        assertThat(config.getValue("quarkus.otel.traces.sampler.arg", Double.class)).isEqualTo(1.0);
    }

    @Test
    void noKeyIsSetInBothFiles() throws IOException {
        Properties main = load("src/main/resources/application.properties");
        Properties test = load("src/test/resources/application.properties");
        Set<Object> both = new HashSet<>(main.keySet());
        both.retainAll(test.keySet());
        assertThat(both).isEmpty();
        assertThat(main.keySet()).noneSatisfy(k -> assertThat((String) k).startsWith("%test."));
        assertThat(test.keySet()).allSatisfy(k -> assertThat((String) k).startsWith("%test."));
    }
}
