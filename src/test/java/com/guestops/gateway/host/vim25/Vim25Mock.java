package com.guestops.gateway.host.vim25;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingXPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.guestops.gateway.support.HostMockServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A vim25 host played by WireMock at one path ({@code /sdk}), answering with the real captures of
 * {@code fixtures/vim25/} byte for byte. SOAP methods are told apart by the element under the body.
 */
final class Vim25Mock {

    static final String SERVICE_CONTENT = "RetrieveServiceContent";
    static final String LOGIN = "Login";
    static final String PROPERTIES = "RetrievePropertiesEx";
    static final String TERMINATE = "TerminateProcessInGuest";
    static final String LIST_PROCESSES = "ListProcessesInGuest";
    /** The session cookie value of the Login capture. */
    static final String FIXTURE_COOKIE = "vmware_soap_session=798fdd46-bf17-4e29-9602-db78dcfbdd19";

    private static final String ENVELOPE_HEAD = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soapenv:Envelope"
            + " xmlns:soapenc=\"http://schemas.xmlsoap.org/soap/encoding/\" xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\""
            + " xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body>";
    private static final String ENVELOPE_TAIL = "</soapenv:Body></soapenv:Envelope>";

    private final String path;

    Vim25Mock(String path) {
        this.path = path;
    }

    // ---- fixtures ----------------------------------------------------------------------------------

    static byte[] fixture(String name) {
        try (InputStream in = Vim25Mock.class.getClassLoader().getResourceAsStream("fixtures/vim25/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test fixture fixtures/vim25/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String fixtureText(String name) {
        return new String(fixture(name), StandardCharsets.UTF_8);
    }

    static ResponseDefinitionBuilder xml(int status, byte[] body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "text/xml; charset=utf-8").withBody(body);
    }

    /** The Login capture with its own headers ({@code Set-Cookie}, {@code Content-Type}). */
    static ResponseDefinitionBuilder loginResponse() {
        ResponseDefinitionBuilder response = aResponse().withStatus(200).withBody(fixture("Login.response.xml"));
        String[] lines = fixtureText("Login.response-headers.txt").split("\r?\n");
        for (int i = 1; i < lines.length && !lines[i].isBlank(); i++) { // line 0 is the status line
            String[] header = lines[i].split(":\\s*", 2);
            if (!header[0].equalsIgnoreCase("Content-Length") && !header[0].equalsIgnoreCase("Date")) {
                response = response.withHeader(header[0], header[1]);
            }
        }
        return response;
    }

    /** A Login answer carrying another session cookie. */
    static ResponseDefinitionBuilder loginResponse(String cookieValue) {
        return xml(200, fixture("Login.response.xml"))
                .withHeader("Set-Cookie", "vmware_soap_session=" + cookieValue + "; HttpOnly");
    }

    /** {@code TerminateProcessInGuestResponse} is empty on success (no capture of it exists). */
    static ResponseDefinitionBuilder terminateSuccess() {
        return xml(200, (ENVELOPE_HEAD + "<TerminateProcessInGuestResponse xmlns=\"urn:vim25\"></TerminateProcessInGuestResponse>"
                + ENVELOPE_TAIL).getBytes(StandardCharsets.UTF_8));
    }

    /** A fault shaped like the captures: HTTP 500, the type as {@code xsi:type} of the element under detail. */
    static ResponseDefinitionBuilder fault(String type, String faultString, String detailContent) {
        return xml(500, (ENVELOPE_HEAD + "<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>" + faultString
                + "</faultstring><detail><" + type + "Fault xmlns=\"urn:vim25\" xsi:type=\"" + type + "\">" + detailContent
                + "</" + type + "Fault></detail></soapenv:Fault>" + ENVELOPE_TAIL).getBytes(StandardCharsets.UTF_8));
    }

    // ---- stubs -------------------------------------------------------------------------------------

    MappingBuilder call(String method) {
        return post(urlPathEqualTo(path)).withRequestBody(matchingXPath("//*[local-name()='" + method + "']"));
    }

    /** RetrieveServiceContent, Login and RetrievePropertiesEx answered with the captures. */
    Vim25Mock sessionSetUp() {
        HostMockServer.stub(call(SERVICE_CONTENT).willReturn(xml(200, fixture("RetrieveServiceContent.response.xml"))));
        HostMockServer.stub(call(LOGIN).willReturn(loginResponse()));
        HostMockServer.stub(call(PROPERTIES).willReturn(xml(200, fixture("RetrievePropertiesEx.processManager.response.xml"))));
        return this;
    }

    Vim25Mock terminateAnswers(ResponseDefinitionBuilder response) {
        HostMockServer.stub(call(TERMINATE).willReturn(response));
        return this;
    }

    Vim25Mock listProcessesAnswers(ResponseDefinitionBuilder response) {
        HostMockServer.stub(call(LIST_PROCESSES).willReturn(response));
        return this;
    }

    /** Requests of one SOAP method the host received, oldest first. */
    List<LoggedRequest> received(String method) {
        return HostMockServer.requests(postRequestedFor(urlPathEqualTo(path))
                .withRequestBody(matchingXPath("//*[local-name()='" + method + "']")));
    }

    List<LoggedRequest> all() {
        return HostMockServer.requests(path);
    }

    int count(String method) {
        return received(method).size();
    }
}
