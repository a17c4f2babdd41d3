package com.guestops.gateway.host;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingXPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.guestops.gateway.support.VapiCall.delete;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.guestops.gateway.api.Flavour;
import com.guestops.gateway.support.HostMockServer;
import com.guestops.gateway.support.RealHosts;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Sessions are released when they are replaced (issue 12, item 11); shutdown: deploy/SessionLogoutIT. */
@QuarkusTest
class SessionLogoutTest {

    @Inject
    RealHosts hosts;

    @BeforeEach
    void reset() {
        hosts.reset();
    }

    private static byte[] fixture(String name) throws Exception {
        try (var in = SessionLogoutTest.class.getClassLoader().getResourceAsStream("fixtures/vim25/" + name)) {
            return in.readAllBytes();
        }
    }

    private static com.github.tomakehurst.wiremock.client.MappingBuilder soap(String method) {
        return post(urlPathEqualTo("/sdk")).withRequestBody(matchingXPath("//*[local-name()='" + method + "']"));
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder xml(int status, byte[] body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "text/xml; charset=utf-8").withBody(body);
    }

    @Test
    void aReplacedVim25SessionIsLoggedOut() throws Exception {
        String envelope = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\">"
                + "<soapenv:Body>%s</soapenv:Body></soapenv:Envelope>";
        HostMockServer.stub(soap("RetrieveServiceContent").willReturn(xml(200, fixture("RetrieveServiceContent.response.xml"))));
        HostMockServer.stub(soap("RetrievePropertiesEx").willReturn(xml(200, fixture("RetrievePropertiesEx.processManager.response.xml"))));
        HostMockServer.stub(soap("Logout").willReturn(xml(200, String.format(envelope, "<LogoutResponse xmlns=\"urn:vim25\"/>")
                .getBytes(StandardCharsets.UTF_8))));
        HostMockServer.stub(soap("Login").inScenario("s").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(xml(200, fixture("Login.response.xml")).withHeader("Set-Cookie", "vmware_soap_session=first; HttpOnly")));
        HostMockServer.stub(soap("TerminateProcessInGuest").inScenario("s").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(xml(500, fixture("TerminateProcessInGuest.NotAuthenticated.response.xml"))).willSetStateTo("expired"));
        HostMockServer.stub(soap("Login").inScenario("s").whenScenarioStateIs("expired")
                .willReturn(xml(200, fixture("Login.response.xml")).withHeader("Set-Cookie", "vmware_soap_session=second; HttpOnly"))
                .willSetStateTo("renewed"));
        HostMockServer.stub(soap("TerminateProcessInGuest").inScenario("s").whenScenarioStateIs("renewed")
                .willReturn(xml(200, String.format(envelope, "<TerminateProcessInGuestResponse xmlns=\"urn:vim25\"/>")
                        .getBytes(StandardCharsets.UTF_8))));

        delete(Flavour.API, "vm-54", 1000).send().assertSuccess();

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(HostMockServer.requests(postRequestedFor(
                urlPathEqualTo("/sdk")).withRequestBody(matchingXPath("//*[local-name()='Logout']"))))
                .singleElement().satisfies(r -> assertThat(r.getHeader("Cookie")).isEqualTo("vmware_soap_session=first")));
    }

    @Test
    void aReplacedVapiSessionIsDeleted() {
        String s = "expiry";
        HostMockServer.stub(post(urlPathEqualTo("/vc/api/session")).inScenario(s).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json").withBody("\"sess-1\"")));
        HostMockServer.stub(post(urlPathMatching("/vc/api/vcenter/vm/.*")).inScenario(s).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(401)).willSetStateTo("expired"));
        HostMockServer.stub(get(urlPathEqualTo("/vc/api/session")).inScenario(s).whenScenarioStateIs("expired")
                .willReturn(aResponse().withStatus(401)));
        HostMockServer.stub(post(urlPathEqualTo("/vc/api/session")).inScenario(s).whenScenarioStateIs("expired")
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json").withBody("\"sess-2\""))
                .willSetStateTo("renewed"));
        HostMockServer.stub(post(urlPathMatching("/vc/api/vcenter/vm/.*")).inScenario(s).whenScenarioStateIs("renewed")
                .willReturn(aResponse().withStatus(204)));
        HostMockServer.stub(com.github.tomakehurst.wiremock.client.WireMock.delete(urlPathEqualTo("/vc/api/session"))
                .willReturn(aResponse().withStatus(204)));

        delete(Flavour.API, "vm-vc-1", 1000).send().assertSuccess();

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(HostMockServer.requests(
                deleteRequestedFor(urlPathEqualTo("/vc/api/session")))).singleElement()
                .satisfies(r -> assertThat(r.getHeader("vmware-api-session-id")).isEqualTo("sess-1")));
    }
}
