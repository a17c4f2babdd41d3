package com.guestops.gateway.host.vim25;

import static com.github.tomakehurst.wiremock.client.WireMock.matchingXPath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.guestops.gateway.host.HostClient;
import com.guestops.gateway.support.HostMockServer;
import com.guestops.gateway.support.RealHosts;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Discovery on a vim25 host: {@code RetrievePropertiesEx} of the VM's {@code runtime.host}; the real
 * captures for a VM that exists and for one that does not ({@code ManagedObjectNotFound}).
 */
@QuarkusTest
class Vim25DiscoveryTest {

    private final Vim25Mock esx = new Vim25Mock("/sdk");

    @Inject
    RealHosts hosts;

    @BeforeEach
    void freshHost() {
        hosts.reset();
        esx.sessionSetUp();
    }

    private static String vmQuery(String vm) {
        return "//*[local-name()='RetrievePropertiesEx']//*[local-name()='obj'][@type='VirtualMachine' and text()='" + vm + "']";
    }

    private boolean owns(String vm) {
        return hosts.client("esx-mock").lookup(vm, Duration.ofSeconds(5)).await().atMost(Duration.ofSeconds(10))
                == HostClient.Ownership.OWNS;
    }

    @Test
    void aVmTheHostKnowsIsOwned() {
        HostMockServer.stub(esx.call(Vim25Mock.PROPERTIES).withRequestBody(matchingXPath(vmQuery("vm-54")))
                .willReturn(Vim25Mock.xml(200, Vim25Mock.fixture("RetrievePropertiesEx.vmRuntimeHost.response.xml"))));
        assertThat(owns("vm-54")).isTrue();
        String asked = esx.received(Vim25Mock.PROPERTIES).stream().map(r -> r.getBodyAsString())
                .filter(b -> b.contains("VirtualMachine")).findFirst().orElseThrow();
        assertThat(asked).contains("<urn:pathSet>runtime.host</urn:pathSet>").contains(">vm-54</urn:obj>");
        assertThat(esx.received(Vim25Mock.PROPERTIES).get(0).getHeader("Cookie")).contains(Vim25Mock.FIXTURE_COOKIE);
    }

    @Test
    void managedObjectNotFoundMeansNotHere() {
        HostMockServer.stub(esx.call(Vim25Mock.PROPERTIES).withRequestBody(matchingXPath(vmQuery("vm-99999")))
                .willReturn(Vim25Mock.xml(500, Vim25Mock.fixture("RetrievePropertiesEx.ManagedObjectNotFound.response.xml"))));
        assertThat(owns("vm-99999")).isFalse();
    }

    @Test
    void anyOtherFaultMeansCannotTell() {
        HostMockServer.stub(esx.call(Vim25Mock.PROPERTIES).withRequestBody(matchingXPath(vmQuery("vm-7")))
                .willReturn(Vim25Mock.fault("SystemError", "boom", "<reason>x</reason>")));
        assertThatThrownBy(() -> owns("vm-7")).isNotNull();
    }

    @Test
    void xmlSpecialCharactersInTheVmIdAreEscaped() {
        HostMockServer.stub(esx.call(Vim25Mock.PROPERTIES).withRequestBody(matchingXPath(vmQuery("vm-<&>")))
                .willReturn(Vim25Mock.xml(500, Vim25Mock.fixture("RetrievePropertiesEx.ManagedObjectNotFound.response.xml"))));
        assertThat(owns("vm-<&>")).isFalse();
        assertThat(esx.received(Vim25Mock.PROPERTIES).stream().map(r -> r.getBodyAsString()))
                .anySatisfy(b -> assertThat(b).contains(">vm-&lt;&amp;&gt;</urn:obj>"));
    }
}
