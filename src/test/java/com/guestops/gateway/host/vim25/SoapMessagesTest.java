package com.guestops.gateway.host.vim25;

import static com.guestops.gateway.host.vim25.Vim25Mock.fixture;
import static com.guestops.gateway.host.vim25.Vim25Mock.fixtureText;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.guestops.gateway.host.GuestCredentials;
import com.guestops.gateway.host.Secret;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Attr;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

/** The SOAP documents the gateway writes and reads, against the real captures (no Quarkus needed). */
class SoapMessagesTest {

    private static final Moref PROCESS_MANAGER = new Moref("GuestProcessManager", "guestOperationsProcessManager");

    // ---- requests: equivalent to the captures --------------------------------------------------------

    @Test
    void requestsAreEquivalentToTheCaptures() throws Exception {
        assertThat(canonical(SoapRequests.retrieveServiceContent()))
                .isEqualTo(canonical(fixtureText("RetrieveServiceContent.request.xml")));
        assertThat(canonical(SoapRequests.login(new Moref("SessionManager", "SessionManager"), "user", "pass")))
                .isEqualTo(canonical(fixtureText("Login.request.xml")));
        assertThat(canonical(SoapRequests.retrieveProcessManager(new Moref("PropertyCollector", "propertyCollector"),
                new Moref("GuestOperationsManager", "guestOperationsManager"))))
                .isEqualTo(canonical(fixtureText("RetrievePropertiesEx.processManager.request.xml")));
        assertThat(canonical(SoapRequests.terminateProcessInGuest(PROCESS_MANAGER, "vm-54",
                SoapRequests.auth(new GuestCredentials.UsernamePassword("root", Secret.of("secret"), false)), 4242)))
                .isEqualTo(canonical(fixtureText("TerminateProcessInGuest.NamePassword.request.xml")));
        assertThat(canonical(SoapRequests.terminateProcessInGuest(PROCESS_MANAGER, "vm-54",
                SoapRequests.auth(new GuestCredentials.SamlBearerToken("root", Secret.of("x"))), 4242)))
                .isEqualTo(canonical(fixtureText("TerminateProcessInGuest.SAMLToken.request.xml")));
    }

    @Test
    void samlTokenWithoutUserNameHasNoUsernameElement() {
        assertThat(SoapRequests.auth(new GuestCredentials.SamlBearerToken(null, Secret.of("t"))))
                .contains("<urn:token>t</urn:token>").doesNotContain("username");
    }

    @Test
    void everyXmlSpecialCharacterIsEscaped() {
        assertThat(SoapRequests.escape("a<b>c&d\"e'f")).isEqualTo("a&lt;b&gt;c&amp;d&quot;e&apos;f");
        assertThat(SoapRequests.escape("]]>")).isEqualTo("]]&gt;");
        assertThat(SoapRequests.escape("tab\tnl\ncr\r")).isEqualTo("tab&#9;nl&#10;cr&#13;");
        assertThat(SoapRequests.escape("plain ünïcødé 🔑")).isEqualTo("plain ünïcødé 🔑");
    }

    @Test
    void charactersXmlCannotCarryAreRefusedNamingTheFieldOnly() {
        for (String bad : new String[] {"\u0000", "a\u0007", "\u001b[0m", "\ud800", "x\udc00", "\ufffe"}) {
            assertThatThrownBy(() -> SoapRequests.escape(bad)).isInstanceOf(SoapRequests.UnencodableValueException.class);
        }
        assertThatThrownBy(() -> SoapRequests.auth(new GuestCredentials.UsernamePassword("root", Secret.of("s3cret\u0001"), false)))
                .isInstanceOf(SoapRequests.UnencodableValueException.class)
                .hasMessageContaining("credentials.password")
                .hasMessageNotContaining("s3cret");
    }

    // ---- responses ---------------------------------------------------------------------------------

    @Test
    void readsTheCapturedResponses() {
        SoapResponse content = SoapResponse.parse(fixture("RetrieveServiceContent.response.xml"));
        Element returnval = SoapResponse.child(content.expect("RetrieveServiceContentResponse"), "returnval").orElseThrow();
        assertThat(SoapResponse.moref(returnval, "guestOperationsManager"))
                .contains(new Moref("GuestOperationsManager", "guestOperationsManager"));

        SoapResponse notFound = SoapResponse.parse(fixture("TerminateProcessInGuest.GuestProcessNotFound.response.xml"));
        assertThat(notFound.isFault()).isTrue();
        assertThat(notFound.fault().type()).isEqualTo("GuestProcessNotFound");
        assertThat(notFound.fault().faultString()).isEmpty();
        assertThat(notFound.fault().detailText("pid")).contains("4242");

        assertThat(SoapResponse.parse(fixture("TerminateProcessInGuest.NotAuthenticated.response.xml")).fault().type())
                .isEqualTo("NotAuthenticated");
        SoapResponse mo = SoapResponse.parse(fixture("RetrievePropertiesEx.ManagedObjectNotFound.response.xml"));
        assertThat(mo.fault().type()).isEqualTo("ManagedObjectNotFound");
        assertThat(mo.fault().faultString()).startsWith("The object has already been deleted");
    }

    @Test
    void faultWithoutXsiTypeIsNamedAfterItsElement() {
        SoapResponse r = SoapResponse.parse(("<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\">"
                + "<soapenv:Body><soapenv:Fault><faultcode>x</faultcode><faultstring>y</faultstring><detail>"
                + "<InvalidGuestLoginFault xmlns=\"urn:vim25\"/></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>")
                .getBytes(StandardCharsets.UTF_8));
        assertThat(r.fault().type()).isEqualTo("InvalidGuestLogin");
    }

    @Test
    void documentsWithADoctypeAreRefused() {
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE e [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                + "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body>"
                + "<a>&x;</a></soapenv:Body></soapenv:Envelope>";
        String laughs = "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">"
                + "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;\">]><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\">"
                + "<soapenv:Body><a>&c;</a></soapenv:Body></soapenv:Envelope>";
        for (String hostile : new String[] {xxe, laughs}) {
            assertThatThrownBy(() -> SoapResponse.parse(hostile.getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOf(SoapResponse.NotSoapException.class)
                    .hasMessage("not well-formed XML");
        }
    }

    @Test
    void whatIsNotASoapEnvelopeIsRefused() {
        for (String notSoap : new String[] {"", "<html><body>502</body></html>", "<Envelope><Body/></Envelope>",
                "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"/>",
                "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body/></soapenv:Envelope>"}) {
            assertThatThrownBy(() -> SoapResponse.parse(notSoap.getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOf(SoapResponse.NotSoapException.class);
        }
    }

    @Test
    void xmlContentTypes() {
        assertThat(SoapResponse.isXmlContentType("text/xml; charset=utf-8")).isTrue();
        assertThat(SoapResponse.isXmlContentType("Text/XML")).isTrue();
        assertThat(SoapResponse.isXmlContentType("application/soap+xml;charset=UTF-8")).isTrue();
        assertThat(SoapResponse.isXmlContentType("text/html")).isFalse();
        assertThat(SoapResponse.isXmlContentType(null)).isFalse();
    }

    // ---- a canonical form: element names by namespace, attributes (not xmlns), trimmed text ----------

    private static String canonical(String xml) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newDefaultInstance();
        factory.setNamespaceAware(true);
        Element root = factory.newDocumentBuilder()
                .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8))).getDocumentElement();
        StringBuilder out = new StringBuilder();
        canonical(root, out);
        return out.toString();
    }

    private static void canonical(Element e, StringBuilder out) {
        out.append('{').append(e.getNamespaceURI()).append('}').append(e.getLocalName());
        NamedNodeMap attributes = e.getAttributes();
        java.util.TreeMap<String, String> sorted = new java.util.TreeMap<>();
        for (int i = 0; i < attributes.getLength(); i++) {
            Attr a = (Attr) attributes.item(i);
            if (!"http://www.w3.org/2000/xmlns/".equals(a.getNamespaceURI())) {
                sorted.put("{" + a.getNamespaceURI() + "}" + a.getLocalName(), a.getValue());
            }
        }
        out.append(sorted).append('[');
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element child) {
                canonical(child, out);
            } else if (n.getNodeType() == Node.TEXT_NODE && !n.getNodeValue().isBlank()) {
                out.append('"').append(n.getNodeValue().trim()).append('"');
            }
        }
        out.append(']');
    }
}
