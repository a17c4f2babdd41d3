package com.guestops.gateway.routing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.guestops.gateway.support.VapiCall.delete;
import static org.assertj.core.api.Assertions.assertThat;

import com.guestops.gateway.api.Flavour;
import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.host.simulator.SimulatorInventory.FaultKind;
import com.guestops.gateway.support.ControllableSimulator;
import com.guestops.gateway.support.HostMockServer;
import com.guestops.gateway.support.Simulators;
import com.guestops.gateway.support.VapiAnswer;
import com.guestops.gateway.support.VapiCall;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Never sent on a guess (issue 12, items 2 and 3): an owner is known only when exactly one host
 * claims the VM and every discoverable host answered; only a host's own "not here" counts as an answer.
 */
@QuarkusTest
class OwnershipTest {

    private static final String OPS = VapiCall.usernamePassword("ops", "ops-pass");

    @Inject
    Simulators simulators;

    @BeforeEach
    @AfterEach
    void reset() {
        simulators.resetAll();
        HostMockServer.reset();
    }

    /** Item 2: one claimant while another host is silent is not an owner, and nothing is cached. */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void oneClaimantWhileAnotherHostIsSilentIsRouteUnknownAndNotCached(Flavour f) {
        ControllableSimulator flaky = simulators.host("flaky");
        flaky.hostFault(FaultKind.RESET);

        VapiAnswer unknown = delete(f, "vm-disc-a", 7).body(OPS).send().assertError(503, ErrorType.SERVICE_UNAVAILABLE);

        assertThat(unknown.messageIds()).containsExactly("com.guestops.gateway.vm.route_unknown");
        assertThat(unknown.defaultMessages()).singleElement().asString().contains("flaky");
        assertThat(simulators.host("disc-a").calls("vm-disc-a")).as("nothing sent on a guess").isZero();

        // the silent host answers again and claims the VM too: two claimants, nothing is terminated
        flaky.adopt("vm-disc-a", new com.guestops.gateway.host.simulator.SimulatorInventory.Vm(null, null, null, null, null, null, null, null));
        flaky.hostFault(null);
        VapiAnswer ambiguous = delete(f, "vm-disc-a", 7).body(OPS).send().assertError(500, ErrorType.ERROR);
        assertThat(ambiguous.messageIds()).containsExactly("com.guestops.gateway.vm.ambiguous_route");
        assertThat(simulators.host("disc-a").calls("vm-disc-a")).isZero();
        assertThat(flaky.calls("vm-disc-a")).isZero();
    }

    /** Item 3: a plain 404 (a proxy's, an old vCenter's) is not "not here": the host could not say. */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aPlain404FromAVcenterIsNotNotHere(Flavour f) {
        HostMockServer.stub(get(urlPathEqualTo("/vcd/api/vcenter/vm/vm-plain-404")).willReturn(aResponse().withStatus(404)
                .withHeader("Content-Type", "text/plain").withBody("Not Found")));

        VapiAnswer answer = delete(f, "vm-plain-404", 7).body(OPS).send().assertError(503, ErrorType.SERVICE_UNAVAILABLE);

        assertThat(answer.messageIds()).containsExactly("com.guestops.gateway.vm.route_unknown");
        assertThat(answer.defaultMessages()).singleElement().asString().contains("vc-disc");
    }

    /** Item 3: an HTML 200 on a lookup is not a claim either. */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void anHtmlPageOnALookupIsNotAClaim(Flavour f) {
        HostMockServer.stub(get(urlPathEqualTo("/vcd/api/vcenter/vm/vm-html")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/html").withBody("<html>Sign in</html>")));

        VapiAnswer answer = delete(f, "vm-html", 7).body(OPS).send().assertError(503, ErrorType.SERVICE_UNAVAILABLE);

        assertThat(answer.messageIds()).containsExactly("com.guestops.gateway.vm.route_unknown");
        assertThat(HostMockServer.requests(postRequestedFor(urlPathMatching("/vcd/api/vcenter/vm/.*")))).isEmpty();
    }

    /** The vAPI NOT_FOUND error body is "not here": with every host saying so, the VM has no route. */
    @Test
    void aVapiNotFoundBodyIsNotHere() {
        VapiAnswer answer = delete(Flavour.API, "vm-nowhere-at-all", 7).body(OPS).send().assertError(404, ErrorType.NOT_FOUND);
        assertThat(answer.messageIds()).containsExactly("com.guestops.gateway.vm.no_route");
    }

    /** A vCenter that has the VM answers 200 with the VM's JSON: the kill goes there. */
    @Test
    void aVcenterClaimingTheVmGetsTheKill() {
        HostMockServer.stub(get(urlPathEqualTo("/vcd/api/vcenter/vm/vm-on-vcd")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"name\":\"web-1\",\"power_state\":\"POWERED_ON\"}")));

        delete(Flavour.API, "vm-on-vcd", 7).body(OPS).send().assertSuccess();

        assertThat(HostMockServer.requests(postRequestedFor(urlPathMatching("/vcd/api/vcenter/vm/vm-on-vcd/.*")))).hasSize(1);
    }
}
