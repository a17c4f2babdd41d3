package com.guestops.gateway.host.vim25;

import static com.guestops.gateway.host.vim25.Vim25Mock.LOGIN;
import static com.guestops.gateway.host.vim25.Vim25Mock.PROPERTIES;
import static com.guestops.gateway.host.vim25.Vim25Mock.SERVICE_CONTENT;
import static com.guestops.gateway.host.vim25.Vim25Mock.TERMINATE;
import static com.guestops.gateway.host.vim25.Vim25Mock.fault;
import static com.guestops.gateway.host.vim25.Vim25Mock.fixture;
import static com.guestops.gateway.host.vim25.Vim25Mock.xml;
import static com.guestops.gateway.support.VapiCall.delete;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.guestops.gateway.api.Flavour;
import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.support.HostMockServer;
import com.guestops.gateway.support.HostMocks;
import com.guestops.gateway.support.MetricsScrape;
import com.guestops.gateway.support.RealHosts;
import com.guestops.gateway.support.VapiAnswer;
import com.guestops.gateway.support.VapiCall;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Document;

/**
 * The vim25 host client against a WireMock host that answers with the real SOAP captures, through
 * the gateway's HTTP surface in both flavours. The request journal shows what really went on the wire.
 *
 * <p>Registers {@link HostMocks} for the whole test suite (global scope): every {@code @QuarkusTest}
 * class then has the same test resources, so Quarkus boots once.
 */
@QuarkusTest
@WithTestResource(value = HostMocks.class, scope = TestResourceScope.GLOBAL)
class Vim25HostClientTest {

    static final String VM = "vm-54";
    private final Vim25Mock esx = new Vim25Mock("/sdk");

    @Inject
    RealHosts hosts;

    @BeforeEach
    void freshHost() {
        hosts.reset();
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void fullLoginFlowWithTheRealCaptures(Flavour flavour) {
        esx.sessionSetUp().terminateAnswers(Vim25Mock.terminateSuccess());

        delete(flavour, VM, 4242).send().assertSuccess();

        List<LoggedRequest> wire = esx.all();
        assertThat(wire).extracting(r -> soapMethod(r)).containsExactly(SERVICE_CONTENT, LOGIN, PROPERTIES, TERMINATE);
        assertThat(wire).allSatisfy(r -> {
            assertThat(r.getHeader("Content-Type")).isEqualToIgnoringCase("text/xml; charset=utf-8");
            assertThat(r.getHeader("SOAPAction")).startsWith("\"urn:vim25/");
            assertThat(r.getHeader("User-Agent")).isEqualTo("guestops-gateway");
        });
        // before the host said its version, a conservative one; then the host's about.apiVersion (6.5)
        assertThat(wire.get(0).getHeader("SOAPAction")).isEqualTo("\"urn:vim25/5.1\"");
        assertThat(wire.get(3).getHeader("SOAPAction")).isEqualTo("\"urn:vim25/6.5\"");
        // no cookie until Login gave one; then the session cookie of the capture on every call
        assertThat(wire.get(0).containsHeader("Cookie")).isFalse();
        assertThat(wire.get(1).containsHeader("Cookie")).isFalse();
        assertThat(wire.get(2).getHeader("Cookie")).isEqualTo(Vim25Mock.FIXTURE_COOKIE);
        assertThat(wire.get(3).getHeader("Cookie")).isEqualTo(Vim25Mock.FIXTURE_COOKIE);
        // morefs come from the captures, not from constants
        assertThat(wire.get(1).getBodyAsString()).contains("<urn:_this type=\"SessionManager\">SessionManager</urn:_this>");
        assertThat(wire.get(2).getBodyAsString())
                .contains("<urn:_this type=\"PropertyCollector\">propertyCollector</urn:_this>")
                .contains("<urn:obj type=\"GuestOperationsManager\">guestOperationsManager</urn:obj>");
        String terminate = wire.get(3).getBodyAsString();
        assertThat(terminate)
                .contains("<urn:_this type=\"GuestProcessManager\">guestOperationsProcessManager</urn:_this>")
                .contains("<urn:vm type=\"VirtualMachine\">vm-54</urn:vm>")
                .contains("<urn:auth xsi:type=\"urn:NamePasswordAuthentication\">")
                .contains("<urn:interactiveSession>false</urn:interactiveSession>")
                .contains("<urn:username>root</urn:username>")
                .contains("<urn:password>vmware</urn:password>")
                .contains("<urn:pid>4242</urn:pid>");
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void oneSessionServesManyRequests(Flavour flavour) {
        esx.sessionSetUp().terminateAnswers(Vim25Mock.terminateSuccess());
        MetricsScrape before = MetricsScrape.take();

        for (int i = 0; i < 5; i++) {
            delete(flavour, VM, 1000 + i).send().assertSuccess();
        }

        assertThat(MetricsScrape.take().delta(before, "guestops_host_logins_total", "host", "esx-mock", "result", "success"))
                .isEqualTo(1.0);
        assertThat(esx.count(SERVICE_CONTENT)).isEqualTo(1);
        assertThat(esx.count(LOGIN)).isEqualTo(1);
        assertThat(esx.count(PROPERTIES)).isEqualTo(1);
        assertThat(esx.count(TERMINATE)).isEqualTo(5);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void concurrentFirstRequestsShareOneLogin(Flavour flavour) throws Exception {
        esx.sessionSetUp().terminateAnswers(Vim25Mock.terminateSuccess());
        // a slow login, so every request arrives while it is in flight
        HostMockServer.stub(esx.call(LOGIN).willReturn(Vim25Mock.loginResponse().withFixedDelay(700)));

        List<VapiAnswer> answers = concurrently(8, i -> delete(flavour, VM, 2000 + i).send());

        assertThat(answers).allSatisfy(VapiAnswer::assertSuccess);
        assertThat(esx.count(SERVICE_CONTENT)).isEqualTo(1);
        assertThat(esx.count(LOGIN)).isEqualTo(1);
        assertThat(esx.count(PROPERTIES)).isEqualTo(1);
        assertThat(esx.received(TERMINATE)).hasSize(8)
                .allSatisfy(r -> assertThat(r.getHeader("Cookie")).isEqualTo(Vim25Mock.FIXTURE_COOKIE));
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void expiredSessionCausesOneReLoginAndOneRepeat(Flavour flavour) {
        esx.sessionSetUp();
        // 1st terminate succeeds; the 2nd finds the session expired; after a new Login the repeat succeeds
        String scenario = "session expiry";
        HostMockServer.stub(esx.call(LOGIN).inScenario(scenario).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(Vim25Mock.loginResponse()));
        HostMockServer.stub(esx.call(TERMINATE).inScenario(scenario).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(Vim25Mock.terminateSuccess()).willSetStateTo("in use"));
        HostMockServer.stub(esx.call(TERMINATE).inScenario(scenario).whenScenarioStateIs("in use")
                .willReturn(xml(500, fixture("TerminateProcessInGuest.NotAuthenticated.response.xml")))
                .willSetStateTo("expired"));
        HostMockServer.stub(esx.call(LOGIN).inScenario(scenario).whenScenarioStateIs("expired")
                .willReturn(Vim25Mock.loginResponse("second-session")).willSetStateTo("renewed"));
        HostMockServer.stub(esx.call(TERMINATE).inScenario(scenario).whenScenarioStateIs("renewed")
                .willReturn(Vim25Mock.terminateSuccess()));

        delete(flavour, VM, 1000).send().assertSuccess();
        delete(flavour, VM, 1001).send().assertSuccess();

        assertThat(esx.count(LOGIN)).isEqualTo(2);
        List<LoggedRequest> terminates = esx.received(TERMINATE);
        assertThat(terminates).extracting(r -> r.getHeader("Cookie")).containsExactly(
                Vim25Mock.FIXTURE_COOKIE, Vim25Mock.FIXTURE_COOKIE, "vmware_soap_session=second-session");
        // the morefs are kept across logins
        assertThat(esx.count(SERVICE_CONTENT)).isEqualTo(1);
        assertThat(esx.count(PROPERTIES)).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aSessionRejectedRightAfterReLoginIsAnErrorNotALoop(Flavour flavour) {
        esx.sessionSetUp().terminateAnswers(xml(500, fixture("TerminateProcessInGuest.NotAuthenticated.response.xml")));

        VapiAnswer answer = delete(flavour, VM, 1000).send().assertError(500, ErrorType.ERROR);

        assertThat(answer.messageIds()).containsExactly("vim.fault.NotAuthenticated");
        assertThat(esx.count(LOGIN)).isEqualTo(2);
        assertThat(esx.count(TERMINATE)).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aBusyAnswerIsRetriedWithARealSecondCall(Flavour flavour) {
        esx.sessionSetUp();
        HostMockServer.stub(esx.call(TERMINATE).inScenario("busy").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(fault("TaskInProgress", "", "")).willSetStateTo("free"));
        HostMockServer.stub(esx.call(TERMINATE).inScenario("busy").whenScenarioStateIs("free")
                .willReturn(Vim25Mock.terminateSuccess()));

        delete(flavour, VM, 1000).send().assertSuccess();

        // each retry re-subscribes to the client's lazy Uni: one more TerminateProcessInGuest, same session
        assertThat(esx.count(TERMINATE)).isEqualTo(2);
        assertThat(esx.count(LOGIN)).isEqualTo(1);
    }

    static Stream<Arguments> faultTable() {
        Object[][] rows = {
            {"InvalidPowerState", 400, ErrorType.NOT_ALLOWED_IN_CURRENT_STATE, "vim.fault."},
            {"InvalidState", 400, ErrorType.NOT_ALLOWED_IN_CURRENT_STATE, "vim.fault."},
            {"ManagedObjectNotFound", 404, ErrorType.NOT_FOUND, "vmodl.fault."},
            {"GuestProcessNotFound", 404, ErrorType.NOT_FOUND, "vim.fault."},
            {"TaskInProgress", 500, ErrorType.RESOURCE_BUSY, "vim.fault."},
            {"ConcurrentAccess", 500, ErrorType.RESOURCE_BUSY, "vim.fault."},
            {"GuestOperationsUnavailable", 503, ErrorType.SERVICE_UNAVAILABLE, "vim.fault."},
            {"InvalidGuestLogin", 401, ErrorType.UNAUTHENTICATED, "vim.fault."},
            {"GuestPermissionDenied", 403, ErrorType.UNAUTHORIZED, "vim.fault."},
            {"NoPermission", 403, ErrorType.UNAUTHORIZED, "vim.fault."},
            {"OperationNotSupportedByGuest", 400, ErrorType.UNSUPPORTED, "vim.fault."},
            {"OperationDisabledByGuest", 400, ErrorType.UNSUPPORTED, "vim.fault."},
            {"GuestComponentsOutOfDate", 400, ErrorType.UNSUPPORTED, "vim.fault."},
            {"SystemError", 500, ErrorType.ERROR, "vmodl.fault."},
            {"GuestOperationsFault", 500, ErrorType.ERROR, "vim.fault."},
            {"SomeFaultFromTheFuture", 500, ErrorType.ERROR, "vim.fault."},
        };
        return Arrays.stream(Flavour.values())
                .flatMap(f -> Arrays.stream(rows).map(r -> Arguments.of(f, r[0], r[1], r[2], r[3])));
    }

    @ParameterizedTest(name = "{0} {1} -> {2} {3}")
    @MethodSource("faultTable")
    void everyFaultOfTheTableMapsToItsVapiError(Flavour flavour, String fault, int status, ErrorType type, String idPrefix) {
        esx.sessionSetUp().terminateAnswers(faultResponse(fault));

        VapiAnswer answer = delete(flavour, VM, 4242).send().assertError(status, type);

        assertThat(answer.messageIds()).containsExactly(idPrefix + fault);
        assertThat(answer.defaultMessages()).singleElement().asString().isNotBlank();
        if (fault.equals("GuestProcessNotFound")) {
            assertThat(answer.data()).containsExactly(java.util.Map.entry("pid", 4242));
        } else {
            assertThat(answer.data()).isNull();
        }
        if (fault.equals("SystemError")) { // the host's own text is passed on
            assertThat(answer.defaultMessages()).containsExactly("vix error codes = (1, 0).");
        }
    }

    /** The captures where they exist (byte for byte), else faults of the same shape. */
    private static ResponseDefinitionBuilder faultResponse(String fault) {
        return switch (fault) {
            case "GuestProcessNotFound" -> xml(500, fixture("TerminateProcessInGuest.GuestProcessNotFound.response.xml"));
            case "ManagedObjectNotFound" -> xml(500, fixture("RetrievePropertiesEx.ManagedObjectNotFound.response.xml"));
            case "SystemError" -> fault("SystemError", "vix error codes = (1, 0).", "<reason>vix error codes = (1, 0).</reason>");
            default -> fault(fault, "", "");
        };
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void processNotFoundCarriesThePidTheHostReported(Flavour flavour) {
        esx.sessionSetUp().terminateAnswers(xml(500, fixture("TerminateProcessInGuest.GuestProcessNotFound.response.xml")));

        VapiAnswer answer = delete(flavour, VM, 4242).send().assertError(404, ErrorType.NOT_FOUND);

        assertThat(answer.data()).containsEntry("pid", 4242);
        assertThat(answer.defaultMessages()).singleElement().asString().contains("4242").contains(VM);
    }

    static Stream<Arguments> notSoap() {
        byte[] terminateOk = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soapenv:Envelope xmlns:soapenv="
                + "\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body><TerminateProcessInGuestResponse"
                + " xmlns=\"urn:vim25\"/></soapenv:Body></soapenv:Envelope>").getBytes(StandardCharsets.UTF_8);
        byte[] fault = fixture("TerminateProcessInGuest.GuestProcessNotFound.response.xml");
        byte[] truncated = Arrays.copyOf(fault, fault.length / 2);
        String html = "<html><body><h1>Bad Gateway SECRET-MARKER</h1></body></html>";
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE e [<!ENTITY x SYSTEM \"file:///etc/hostname\">]>"
                + "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body>"
                + "<TerminateProcessInGuestResponse xmlns=\"urn:vim25\">&x;SECRET-MARKER</TerminateProcessInGuestResponse>"
                + "</soapenv:Body></soapenv:Envelope>";
        Object[][] cases = {
            {"HTML page, 200", WireMock.aResponse().withStatus(200).withHeader("Content-Type", "text/html").withBody(html), 200},
            {"HTML page, 500", WireMock.aResponse().withStatus(500).withHeader("Content-Type", "text/html").withBody(html), 500},
            {"HTML page, 404", WireMock.aResponse().withStatus(404).withHeader("Content-Type", "text/html").withBody(html), 404},
            {"truncated fault", xml(500, truncated), 500},
            {"empty body", xml(200, new byte[0]), 200},
            {"XML that is not SOAP", xml(200, "<SECRET-MARKER/>".getBytes(StandardCharsets.UTF_8)), 200},
            {"SOAP with a wrong content type", WireMock.aResponse().withStatus(200)
                    .withHeader("Content-Type", "application/json").withBody(terminateOk), 200},
            {"SOAP without a content type", WireMock.aResponse().withStatus(200).withBody(terminateOk), 200},
            {"HTTP 500 without a fault", xml(500, terminateOk), 500},
            {"DOCTYPE with an external entity (XXE)", xml(200, xxe.getBytes(StandardCharsets.UTF_8)), 200},
            {"another method's response", xml(200, fixture("Login.response.xml")), 200},
        };
        return Arrays.stream(Flavour.values()).flatMap(f -> Arrays.stream(cases)
                .map(c -> Arguments.of(f, c[0], c[1], c[2])));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("notSoap")
    void anAnswerThatIsNotSoapIsAGatewayErrorWithoutTheBody(Flavour flavour, String what,
            ResponseDefinitionBuilder response, int hostStatus) {
        esx.sessionSetUp().terminateAnswers(response);

        VapiAnswer answer = delete(flavour, VM, 1000).send().assertError(500, ErrorType.ERROR);

        assertThat(answer.messageIds()).containsExactly("com.guestops.gateway.host.bad_response");
        assertThat(answer.messages().get(0).get("args")).isEqualTo(List.of("esx-mock", Integer.toString(hostStatus)));
        assertThat(answer.body()).doesNotContain("SECRET-MARKER").doesNotContain("Bad Gateway").doesNotContain("4242");
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aGarbledSessionSetUpIsAGatewayErrorToo(Flavour flavour) {
        HostMockServer.stub(esx.call(SERVICE_CONTENT).willReturn(
                xml(200, Arrays.copyOf(fixture("RetrieveServiceContent.response.xml"), 1000))));

        VapiAnswer answer = delete(flavour, VM, 1000).send().assertError(500, ErrorType.ERROR);

        assertThat(answer.messageIds()).containsExactly("com.guestops.gateway.host.bad_response");
        assertThat(esx.count(LOGIN)).isZero();
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aProxyErrorPageSaysTheHostIsUnavailable(Flavour flavour) {
        esx.sessionSetUp().terminateAnswers(WireMock.aResponse().withStatus(503).withHeader("Content-Type", "text/html")
                .withBody("<html>503 Service Unavailable (Failed to connect to endpoint)</html>"));

        VapiAnswer answer = delete(flavour, VM, 1000).send().assertError(503, ErrorType.SERVICE_UNAVAILABLE);

        assertThat(answer.messageIds()).containsExactly("com.guestops.gateway.host.unavailable");
        assertThat(answer.body()).doesNotContain("endpoint");
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void xmlSpecialCharactersAreEscaped(Flavour flavour) throws Exception {
        esx.sessionSetUp().terminateAnswers(Vim25Mock.terminateSuccess());
        String user = "r<o>o&t\"'";
        String password = "p&w<d>\"'\t]]>";
        String body = "{\"credentials\":{\"type\":\"USERNAME_PASSWORD\",\"user_name\":\"r<o>o&t\\\"'\","
                + "\"password\":\"p&w<d>\\\"'\\t]]>\"}}";

        delete(flavour, VM, 1000).body(body).send().assertSuccess();

        // the service account of application.properties: svc<&>"'ops / Esx-Pa55<&>"'w0rd
        String login = esx.received(LOGIN).get(0).getBodyAsString();
        assertThat(login).contains("<urn:userName>svc&lt;&amp;&gt;&quot;&apos;ops</urn:userName>")
                .contains("<urn:password>Esx-Pa55&lt;&amp;&gt;&quot;&apos;w0rd</urn:password>");
        assertThat(text(login, "userName")).isEqualTo("svc<&>\"'ops");
        assertThat(text(login, "password")).isEqualTo("Esx-Pa55<&>\"'w0rd");

        String terminate = esx.received(TERMINATE).get(0).getBodyAsString();
        assertThat(terminate).contains("<urn:username>r&lt;o&gt;o&amp;t&quot;&apos;</urn:username>")
                .contains("<urn:password>p&amp;w&lt;d&gt;&quot;&apos;&#9;]]&gt;</urn:password>");
        // and a parser reads back exactly what the caller sent
        assertThat(text(terminate, "username")).isEqualTo(user);
        assertThat(text(terminate, "password")).isEqualTo(password);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void samlTokenGoesAsSamlTokenAuthentication(Flavour flavour) throws Exception {
        esx.sessionSetUp().terminateAnswers(Vim25Mock.terminateSuccess());

        delete(flavour, VM, 1000).body("{\"credentials\":{\"type\":\"SAML_BEARER_TOKEN\",\"user_name\":\"root\","
                + "\"saml_token\":\"<saml:Assertion ID=\\\"_1\\\">&tok</saml:Assertion>\"}}").send().assertSuccess();

        String terminate = esx.received(TERMINATE).get(0).getBodyAsString();
        assertThat(terminate).contains("<urn:auth xsi:type=\"urn:SAMLTokenAuthentication\">")
                .contains("<urn:interactiveSession>false</urn:interactiveSession>")
                .contains("<urn:token>&lt;saml:Assertion ID=&quot;_1&quot;&gt;&amp;tok&lt;/saml:Assertion&gt;</urn:token>")
                .contains("<urn:username>root</urn:username>")
                .doesNotContain("<urn:password>");
        assertThat(text(terminate, "token")).isEqualTo("<saml:Assertion ID=\"_1\">&tok</saml:Assertion>");
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void interactiveSessionIsPassedThrough(Flavour flavour) {
        esx.sessionSetUp().terminateAnswers(Vim25Mock.terminateSuccess());

        delete(flavour, VM, 1000).body("{\"credentials\":{\"type\":\"USERNAME_PASSWORD\",\"user_name\":\"root\","
                + "\"password\":\"vmware\",\"interactive_session\":true}}").send().assertSuccess();

        assertThat(esx.received(TERMINATE).get(0).getBodyAsString())
                .contains("<urn:interactiveSession>true</urn:interactiveSession>");
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aCharacterXmlCannotCarryIsRefusedBeforeTheHostIsCalled(Flavour flavour) {
        esx.sessionSetUp().terminateAnswers(Vim25Mock.terminateSuccess());

        VapiAnswer answer = delete(flavour, VM, 1000).body(VapiCall.usernamePassword("root", "bell\\u0007")).send()
                .assertError(400, ErrorType.INVALID_ARGUMENT);

        assertThat(answer.messageIds()).containsExactly("com.guestops.gateway.validation.value.not_xml");
        assertThat(answer.messages().get(0).get("args")).isEqualTo(List.of("credentials.password"));
        assertThat(esx.all()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aRefusedServiceAccountIsServiceUnavailableAndNotTriedAgainDuringTheBackOff(Flavour flavour) {
        esx.sessionSetUp().terminateAnswers(Vim25Mock.terminateSuccess());
        HostMockServer.stub(esx.call(LOGIN).willReturn(fault("InvalidLogin", "Cannot complete login due to an incorrect"
                + " user name or password.", "")));

        MetricsScrape before = MetricsScrape.take();

        VapiAnswer answer = delete(flavour, VM, 1000).send().assertError(503, ErrorType.SERVICE_UNAVAILABLE);
        delete(flavour, VM, 1000).send().assertError(503, ErrorType.SERVICE_UNAVAILABLE);

        assertThat(MetricsScrape.take().delta(before, "guestops_host_logins_total", "host", "esx-mock", "result", "refused"))
                .isEqualTo(1.0);
        assertThat(answer.messageIds()).containsExactly("com.guestops.gateway.host.login_failed");
        assertThat(answer.messages().get(0).get("args")).isEqualTo(List.of("esx-mock", "InvalidLogin"));
        assertThat(esx.count(LOGIN)).as("a refused login is not tried again during its back-off").isEqualTo(1);
        assertThat(esx.count(TERMINATE)).isZero();
    }

    // ---- helpers -----------------------------------------------------------------------------------

    static String soapMethod(LoggedRequest request) {
        for (String m : List.of(SERVICE_CONTENT, LOGIN, PROPERTIES, TERMINATE)) {
            if (request.getBodyAsString().contains("<urn:" + m + ">")) {
                return m;
            }
        }
        return "?";
    }

    /** Text of the first element with that local name, as an XML parser reads it. */
    static String text(String xml, String localName) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newDefaultInstance();
        factory.setNamespaceAware(true);
        Document doc = factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        return doc.getElementsByTagNameNS("urn:vim25", localName).item(0).getTextContent();
    }

    /** Runs n calls at once (all released together) and waits for all of them. */
    static <T> List<T> concurrently(int n, java.util.function.IntFunction<T> call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<CompletableFuture<T>> futures = java.util.stream.IntStream.range(0, n)
                    .mapToObj(i -> CompletableFuture.supplyAsync(() -> {
                        try {
                            start.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IllegalStateException(e);
                        }
                        return call.apply(i);
                    }, pool)).toList();
            start.countDown();
            return futures.stream().map(CompletableFuture::join).toList();
        } finally {
            pool.shutdownNow();
        }
    }
}
