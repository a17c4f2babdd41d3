package com.guestops.gateway.host;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.guestops.gateway.support.VapiCall.delete;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.client.WireMock;
import com.guestops.gateway.api.Flavour;
import com.guestops.gateway.support.HostMockServer;
import com.guestops.gateway.support.LogCapture;
import com.guestops.gateway.support.RealHosts;
import com.guestops.gateway.support.VapiAnswer;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The service-account passwords of the real hosts (application.properties, %test) never show up in a
 * log line or an answer: not as configured, not XML-escaped, not inside a Basic-auth header, whatever
 * the host answers to the login (success, refusal, garbage, expired session).
 */
@QuarkusTest
class ServiceAccountPasswordsNeverLoggedTest {

    private static final String ESX_PASSWORD = "Esx-Pa55<&>\"'w0rd";
    private static final String VC_PASSWORD = "Vc-Pa55:w0rd\"<&>";

    @Inject
    RealHosts hosts;

    @Test
    void noServiceAccountPasswordInLogsOrAnswers() throws IOException {
        List<VapiAnswer> answers = new ArrayList<>();
        byte[] serviceContent = fixture("RetrieveServiceContent.response.xml");
        byte[] login = fixture("Login.response.xml");
        byte[] processManager = fixture("RetrievePropertiesEx.processManager.response.xml");
        byte[] notAuthenticated = fixture("TerminateProcessInGuest.NotAuthenticated.response.xml");
        try (LogCapture log = LogCapture.start()) {
            for (Flavour f : Flavour.values()) {
                // vim25: a login the host refuses, a garbage login answer, then a session that expires
                reset();
                soap("RetrieveServiceContent", 200, serviceContent);
                soap("Login", 500, fault("InvalidLogin"));
                answers.add(delete(f, "vm-54", 1000).send());
                soap("Login", 200, "<html>no</html>".getBytes(StandardCharsets.UTF_8));
                answers.add(delete(f, "vm-54", 1000).send());
                HostMockServer.stub(post(urlPathEqualTo("/sdk"))
                        .withRequestBody(WireMock.matchingXPath("//*[local-name()='Login']"))
                        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/xml")
                                .withHeader("Set-Cookie", "vmware_soap_session=abc; HttpOnly").withBody(login)));
                soap("RetrievePropertiesEx", 200, processManager);
                soap("TerminateProcessInGuest", 500, notAuthenticated);
                answers.add(delete(f, "vm-54", 1000).send());

                // vapi: a refused login, a garbage login answer, then an expired session
                reset();
                HostMockServer.stub(post(urlPathEqualTo("/vc/api/session")).willReturn(aResponse().withStatus(401)));
                answers.add(delete(f, "vm-vc-1", 1000).send());
                HostMockServer.stub(post(urlPathEqualTo("/vc/api/session")).willReturn(aResponse().withStatus(500)
                        .withHeader("Content-Type", "text/html").withBody("<html>no</html>")));
                answers.add(delete(f, "vm-vc-1", 1000).send());
                HostMockServer.stub(post(urlPathEqualTo("/vc/api/session")).willReturn(aResponse().withStatus(201)
                        .withHeader("Content-Type", "application/json").withBody("\"s\"")));
                HostMockServer.stub(get(urlPathEqualTo("/vc/api/session")).willReturn(aResponse().withStatus(401)));
                HostMockServer.stub(post(urlPathMatching("/vc/api/vcenter/.*")).willReturn(aResponse().withStatus(401)));
                answers.add(delete(f, "vm-vc-1", 1000).send());
            }
            assertThat(answers).allSatisfy(a -> assertThat(a.status()).isGreaterThanOrEqualTo(400));
            assertThat(log.lines()).as("captured log lines").isNotEmpty();
            for (String secret : secrets()) {
                assertThat(log.all()).doesNotContain(secret);
                assertThat(answers).allSatisfy(a -> assertThat(a.body()).doesNotContain(secret));
            }
        } finally {
            reset();
        }
    }

    private static List<String> secrets() {
        return List.of(ESX_PASSWORD, "Esx-Pa55&lt;&amp;&gt;&quot;&apos;w0rd", "Esx-Pa55", VC_PASSWORD, "Vc-Pa55",
                Base64.getEncoder().encodeToString(("svc-guestops@vsphere.local:" + VC_PASSWORD)
                        .getBytes(StandardCharsets.UTF_8)));
    }

    private void reset() {
        hosts.reset();
    }

    private static void soap(String method, int status, byte[] body) {
        HostMockServer.stub(post(urlPathEqualTo("/sdk"))
                .withRequestBody(WireMock.matchingXPath("//*[local-name()='" + method + "']"))
                .willReturn(aResponse().withStatus(status).withHeader("Content-Type", "text/xml; charset=utf-8")
                        .withBody(body)));
    }

    private static byte[] fault(String type) {
        return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\""
                + " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body><soapenv:Fault><faultcode>ServerFaultCode"
                + "</faultcode><faultstring></faultstring><detail><" + type + "Fault xmlns=\"urn:vim25\" xsi:type=\"" + type
                + "\"/></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] fixture(String name) throws IOException {
        try (InputStream in = ServiceAccountPasswordsNeverLoggedTest.class.getClassLoader()
                .getResourceAsStream("fixtures/vim25/" + name)) {
            return in.readAllBytes();
        }
    }
}
