package com.guestops.gateway.host.vapi;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.guestops.gateway.host.HostClient;
import com.guestops.gateway.support.HostMockServer;
import com.guestops.gateway.support.RealHosts;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Discovery on a vapi host: {@code GET /api/vcenter/vm/{vm}}, 200 owned, 404 not here. */
@QuarkusTest
class VapiDiscoveryTest {

    @Inject
    RealHosts hosts;

    @BeforeEach
    void freshHost() {
        hosts.reset();
        VapiHostClientTest.loggedInHost();
    }

    private boolean owns(String vm) {
        return hosts.client("vc-mock").lookup(vm, Duration.ofSeconds(5)).await().atMost(Duration.ofSeconds(10))
                == HostClient.Ownership.OWNS;
    }

    @Test
    void aVmTheVcenterHasIsOwned() {
        HostMockServer.stub(get(urlPathEqualTo("/vc/api/vcenter/vm/vm-77")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"name\":\"web-1\",\"power_state\":\"POWERED_ON\"}")));
        assertThat(owns("vm-77")).isTrue();
        assertThat(HostMockServer.requests(getRequestedFor(urlPathEqualTo("/vc/api/vcenter/vm/vm-77"))
                .withHeader("vmware-api-session-id", equalTo("sess-1")))).hasSize(1);
    }

    @Test
    void notFoundMeansNotHere() {
        HostMockServer.stub(get(urlPathEqualTo("/vc/api/vcenter/vm/vm-88")).willReturn(VapiHostClientTest.vapiError(404,
                "NOT_FOUND", "com.vmware.api.vcenter.vm.not_found", "Virtual machine not found", null)));
        assertThat(owns("vm-88")).isFalse();
    }

    @Test
    void anExpiredSessionIsRenewedOnce() {
        HostMockServer.stub(get(urlPathEqualTo("/vc/api/vcenter/vm/vm-99")).inScenario("expiry")
                .whenScenarioStateIs(Scenario.STARTED).willReturn(VapiHostClientTest.unauthenticated()).willSetStateTo("relogged"));
        HostMockServer.stub(get(urlPathEqualTo("/vc/api/vcenter/vm/vm-99")).inScenario("expiry")
                .whenScenarioStateIs("relogged").willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{}")));
        HostMockServer.stub(get(urlPathEqualTo("/vc/api/session")).willReturn(VapiHostClientTest.unauthenticated()));
        assertThat(owns("vm-99")).isTrue();
        assertThat(VapiHostClientTest.logins()).hasSize(2);
    }

    @Test
    void serverErrorsMeanCannotTell() {
        HostMockServer.stub(get(urlPathEqualTo("/vc/api/vcenter/vm/vm-66")).willReturn(VapiHostClientTest.vapiError(503,
                "SERVICE_UNAVAILABLE", "com.vmware.vapi.std.errors.service_unavailable", "down", null)));
        assertThatThrownBy(() -> owns("vm-66")).isNotNull();
    }
}
