package com.guestops.gateway.observability;

import static com.guestops.gateway.support.Management.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;

import com.guestops.gateway.api.Flavour;
import com.guestops.gateway.host.simulator.SimulatorInventory.FaultKind;
import com.guestops.gateway.routing.HostRegistry;
import com.guestops.gateway.support.Simulators;
import com.guestops.gateway.support.VapiCall;
import com.guestops.gateway.support.Management;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.util.List;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Liveness follows the event loops, readiness follows configuration, neither follows breakers; all on the management
 * port, none on the public one.
 */
@QuarkusTest
class HealthTest {

    @Inject
    Simulators simulators;

    @Inject
    HostRegistry hosts;

    @AfterEach
    void reset() {
        simulators.resetAll();
    }

    @Test
    void livenessChecksEveryEventLoop() {
        given().get("/q/health/live").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("event-loops"))
                .body("checks.find { it.name == 'event-loops' }.data.event-loops", greaterThanOrEqualTo(1));
    }

    @Test
    void readinessReportsRegisteredHosts() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'hosts' }.data.hosts", greaterThanOrEqualTo(2))
                .body("checks.find { it.name == 'hosts' }.data.demo-simulator", equalTo(false));
        given().get("/q/health/started").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void healthAndMetricsAreOnTheManagementPortOnly() {
        assertThat(Management.port()).isPositive().isNotEqualTo(RestAssured.port);
        for (String path : List.of("/q/health", "/q/health/live", "/q/health/ready", "/q/health/started", "/q/metrics")) {
            given().get(path).then().statusCode(200);
            RestAssured.given().get(path).then().statusCode(404);
        }
        // the public port keeps the operation's contract
        RestAssured.given().get("/q/openapi").then().statusCode(200);
        given().get("/q/openapi").then().statusCode(404);
    }

    @Test
    void anOpenBreakerDoesNotMakeThePodUnready() {
        simulators.host("flaky").hostFault(FaultKind.RESET);
        for (int i = 0; i < hosts.host("flaky").orElseThrow().policy().breakerRequestVolume(); i++) {
            VapiCall.delete(Flavour.API, "vm-flaky", 7).body(VapiCall.usernamePassword("ops", "ops-pass")).send();
        }
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }
}
