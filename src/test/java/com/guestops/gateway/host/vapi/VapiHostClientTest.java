package com.guestops.gateway.host.vapi;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.guestops.gateway.support.VapiCall.delete;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.guestops.gateway.api.Flavour;
import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.support.HostMockServer;
import com.guestops.gateway.support.MetricsScrape;
import com.guestops.gateway.support.RealHosts;
import com.guestops.gateway.support.VapiAnswer;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The vapi host client against a WireMock vCenter (base URL {@code http://127.0.0.1:<port>/vc}),
 * through the gateway's HTTP surface in both flavours.
 */
@QuarkusTest
class VapiHostClientTest {

    static final String VM = "vm-vc-1";
    static final String SESSION = "/vc/api/session";
    static final String TERMINATE = "/vc/api/vcenter/vm/" + VM + "/guest/processes/[0-9]+";
    /** The service account of application.properties: svc-guestops@vsphere.local / Vc-Pa55:w0rd"<&>. */
    static final String BASIC = "Basic " + Base64.getEncoder().encodeToString(
            "svc-guestops@vsphere.local:Vc-Pa55:w0rd\"<&>".getBytes(StandardCharsets.UTF_8));

    private final ObjectMapper json = new ObjectMapper();

    @Inject
    RealHosts hosts;

    @BeforeEach
    void freshHost() {
        hosts.reset();
    }

    // ---- stubs -------------------------------------------------------------------------------------

    static MappingBuilder login() {
        return post(urlPathEqualTo(SESSION));
    }

    static MappingBuilder terminate() {
        return post(urlPathMatching(TERMINATE));
    }

    static MappingBuilder sessionCheck() {
        return get(urlPathEqualTo(SESSION));
    }

    static ResponseDefinitionBuilder sessionId(String id) {
        return aResponse().withStatus(201).withHeader("Content-Type", "application/json").withBody("\"" + id + "\"");
    }

    static ResponseDefinitionBuilder vapiError(int status, String errorType, String id, String text, String data) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(
                "{\"error_type\":\"" + errorType + "\",\"messages\":[{\"args\":[\"4242\",\"" + VM + "\"],"
                        + "\"default_message\":\"" + text + "\",\"id\":\"" + id + "\"}]"
                        + (data == null ? "" : ",\"data\":" + data) + "}");
    }

    static ResponseDefinitionBuilder unauthenticated() {
        return vapiError(401, "UNAUTHENTICATED", "com.vmware.vapi.endpoint.method.authentication.required",
                "Authentication required.", null);
    }

    static void loggedInHost() {
        HostMockServer.stub(login().willReturn(sessionId("sess-1")));
        HostMockServer.stub(sessionCheck().willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"user\":\"VSPHERE.LOCAL\\\\svc-guestops\"}")));
        HostMockServer.stub(terminate().willReturn(aResponse().withStatus(204)));
    }

    static List<LoggedRequest> logins() {
        return HostMockServer.requests(postRequestedFor(urlPathEqualTo(SESSION)));
    }

    static List<LoggedRequest> sessionChecks() {
        return HostMockServer.requests(getRequestedFor(urlPathEqualTo(SESSION)));
    }

    static List<LoggedRequest> terminates() {
        return HostMockServer.requests(postRequestedFor(urlPathMatching(TERMINATE)));
    }

    // ---- tests -------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aSessionIdHttpCannotCarryIsNeverSentAndTheKillNeverHappened(Flavour flavour) {
        // a host (or something posing as one) whose session id would inject a header line into the kill
        HostMockServer.stub(login().willReturn(sessionId("sess-1\\r\\nX-Injected: yes")));
        HostMockServer.stub(terminate().willReturn(aResponse().withStatus(204)));

        long started = System.nanoTime();
        VapiAnswer answer = delete(flavour, VM, 4242).send();

        assertThat(terminates()).as("no kill request left the gateway").isEmpty();
        answer.assertError(503, ErrorType.SERVICE_UNAVAILABLE);
        assertThat(answer.messageIds()).containsExactly("com.guestops.gateway.host.login_failed");
        assertThat(answer.body()).doesNotContain("X-Injected").doesNotContain("sess-1");
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - started)).as("answered at once, not after a timeout")
                .isLessThan(java.time.Duration.ofSeconds(5)); // the attempt timeout is 30 s
        // like a refused login: remembered for its back-off, not one more session left on the host per request
        delete(flavour, VM, 4242).send().assertError(503, ErrorType.SERVICE_UNAVAILABLE);
        assertThat(logins()).hasSize(1);
        assertThat(terminates()).isEmpty();
    }


    @ParameterizedTest
    @EnumSource(Flavour.class)
    void logsInWithBasicAuthAndSendsTheCallersCredentials(Flavour flavour) throws Exception {
        loggedInHost();

        delete(flavour, VM, 4242).send().assertSuccess();

        LoggedRequest login = logins().get(0);
        assertThat(login.getHeader("Authorization")).isEqualTo(BASIC);
        assertThat(login.containsHeader("vmware-api-session-id")).isFalse();
        LoggedRequest call = terminates().get(0);
        assertThat(call.getUrl()).isEqualTo("/vc/api/vcenter/vm/vm-vc-1/guest/processes/4242?action=delete");
        assertThat(call.getHeader("vmware-api-session-id")).isEqualTo("sess-1");
        assertThat(call.containsHeader("Authorization")).isFalse();
        assertThat(call.getHeader("Content-Type")).startsWith("application/json");
        assertThat(call.getHeader("User-Agent")).isEqualTo("guestops-gateway");
        assertThat(login.getHeader("User-Agent")).isEqualTo("guestops-gateway");
        assertThat(call.getHeader("Content-Length")).isEqualTo(Integer.toString(call.getBody().length));
        assertThat(json.readTree(call.getBodyAsString())).isEqualTo(json.readTree(
                "{\"credentials\":{\"interactive_session\":false,\"type\":\"USERNAME_PASSWORD\",\"user_name\":\"root\","
                        + "\"password\":\"vmware\"}}"));
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void samlTokenAndInteractiveSessionAreForwarded(Flavour flavour) throws Exception {
        loggedInHost();

        delete(flavour, VM, 1).body("{\"credentials\":{\"type\":\"SAML_BEARER_TOKEN\",\"user_name\":\"root\","
                + "\"saml_token\":\"<Assertion \\\"x\\\"/>\"}}").send().assertSuccess();
        delete(flavour, VM, 2).body("{\"credentials\":{\"type\":\"USERNAME_PASSWORD\",\"user_name\":\"root\","
                + "\"password\":\"vmware\",\"interactive_session\":true}}").send().assertSuccess();

        assertThat(json.readTree(terminates().get(0).getBodyAsString())).isEqualTo(json.readTree(
                "{\"credentials\":{\"interactive_session\":false,\"type\":\"SAML_BEARER_TOKEN\",\"user_name\":\"root\","
                        + "\"saml_token\":\"<Assertion \\\"x\\\"/>\"}}"));
        assertThat(json.readTree(terminates().get(1).getBodyAsString()).at("/credentials/interactive_session").asBoolean())
                .isTrue();

        // what needs escaping arrives as it was sent: quotes, backslashes, control and non-ASCII characters
        String password = "p\u00e4ss \"w\\o\u0001rd\n\u20ac";
        delete(flavour, VM, 3).body(json.writeValueAsString(json.createObjectNode().set("credentials", json.createObjectNode()
                .put("type", "USERNAME_PASSWORD").put("user_name", "r\u00f6\"ot").put("password", password)))).send().assertSuccess();
        assertThat(json.readTree(terminates().get(2).getBodyAsString()).get("credentials")).isEqualTo(json.readTree(
                json.writeValueAsString(json.createObjectNode().put("interactive_session", false).put("type", "USERNAME_PASSWORD")
                        .put("user_name", "r\u00f6\"ot").put("password", password))));
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void pathSegmentsAreUrlEncoded(Flavour flavour) {
        HostMockServer.stub(login().willReturn(sessionId("sess-1")));
        HostMockServer.stub(post(urlPathMatching("/vc/api/vcenter/vm/.*")).willReturn(aResponse().withStatus(204)));

        delete(flavour, "vm-vc:7", 42).send().assertSuccess();

        assertThat(HostMockServer.requests(postRequestedFor(urlPathMatching("/vc/api/vcenter/vm/.*"))))
                .extracting(LoggedRequest::getUrl)
                .containsExactly("/vc/api/vcenter/vm/vm-vc%3A7/guest/processes/42?action=delete");
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void oneSessionServesManyRequests(Flavour flavour) {
        loggedInHost();

        for (int i = 0; i < 5; i++) {
            delete(flavour, VM, 1000 + i).send().assertSuccess();
        }

        assertThat(logins()).hasSize(1);
        assertThat(terminates()).hasSize(5)
                .allSatisfy(r -> assertThat(r.getHeader("vmware-api-session-id")).isEqualTo("sess-1"));
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void concurrentFirstRequestsShareOneLogin(Flavour flavour) throws Exception {
        loggedInHost();
        MetricsScrape before = MetricsScrape.take();
        HostMockServer.stub(login().willReturn(sessionId("sess-1").withFixedDelay(700)));

        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<CompletableFuture<VapiAnswer>> calls = IntStream.range(0, 8).mapToObj(i -> CompletableFuture.supplyAsync(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return delete(flavour, VM, 3000 + i).send();
            }, pool)).toList();
            start.countDown();
            assertThat(calls).allSatisfy(c -> c.join().assertSuccess());
        } finally {
            pool.shutdownNow();
        }

        assertThat(logins()).hasSize(1);
        assertThat(terminates()).hasSize(8);
        // counted once, not once per waiting request
        assertThat(MetricsScrape.take().delta(before, "guestops_host_logins_total", "host", "vc-mock", "result", "success"))
                .isEqualTo(1.0);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aBusyAnswerIsRetriedWithARealSecondCall(Flavour flavour) {
        loggedInHost();
        HostMockServer.stub(terminate().inScenario("busy").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(vapiError(500, "RESOURCE_BUSY", "com.vmware.vapi.std.errors.resource_busy", "Busy.", null))
                .willSetStateTo("free"));
        HostMockServer.stub(terminate().inScenario("busy").whenScenarioStateIs("free").willReturn(aResponse().withStatus(204)));

        delete(flavour, VM, 1000).send().assertSuccess();

        assertThat(terminates()).hasSize(2);
        assertThat(logins()).hasSize(1);
    }

    static Stream<Arguments> hostErrors() {
        Object[][] rows = {
            {404, "NOT_FOUND", ErrorType.NOT_FOUND, "{\"pid\":4242}"},
            {400, "NOT_ALLOWED_IN_CURRENT_STATE", ErrorType.NOT_ALLOWED_IN_CURRENT_STATE, null},
            {400, "UNSUPPORTED", ErrorType.UNSUPPORTED, null},
            {400, "INVALID_ARGUMENT", ErrorType.INVALID_ARGUMENT, null},
            {403, "UNAUTHORIZED", ErrorType.UNAUTHORIZED, null},
            {500, "RESOURCE_BUSY", ErrorType.RESOURCE_BUSY, null},
            {500, "ERROR", ErrorType.ERROR, "{\"detail\":{\"vix\":3}}"},
            {503, "SERVICE_UNAVAILABLE", ErrorType.SERVICE_UNAVAILABLE, null},
            // not part of the operation's table: still a host error, never "the gateway has no such path"
            {404, "OPERATION_NOT_FOUND", ErrorType.ERROR, null},
            {500, "INTERNAL_SERVER_ERROR", ErrorType.ERROR, null},
        };
        return Arrays.stream(Flavour.values()).flatMap(f -> Arrays.stream(rows)
                .map(r -> Arguments.of(f, r[0], r[1], r[2], r[3])));
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("hostErrors")
    void theHostsErrorIsPassedOnAsItIs(Flavour flavour, int status, String hostType, ErrorType type, String data) {
        loggedInHost();
        HostMockServer.stub(terminate().willReturn(vapiError(status, hostType, "com.vmware.api.vcenter.vm.guest.x",
                "What the host said about 4242.", data)));

        VapiAnswer answer = delete(flavour, VM, 4242).send().assertError(type.httpStatus(), type);

        assertThat(answer.messages()).containsExactly(Map.of("id", "com.vmware.api.vcenter.vm.guest.x",
                "default_message", "What the host said about 4242.", "args", List.of("4242", VM)));
        if (data == null) {
            assertThat(answer.data()).isNull();
        } else {
            assertThat(answer.body()).contains("\"data\":" + data);
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aLegacyShapedErrorBodyIsUnderstoodToo(Flavour flavour) {
        loggedInHost();
        HostMockServer.stub(terminate().willReturn(aResponse().withStatus(404).withHeader("Content-Type", "application/json")
                .withBody("{\"type\":\"com.vmware.vapi.std.errors.not_found\",\"value\":{\"messages\":[{\"id\":\"x.y\","
                        + "\"default_message\":\"gone\",\"args\":[]}],\"data\":{\"pid\":7}}}")));

        VapiAnswer answer = delete(flavour, VM, 7).send().assertError(404, ErrorType.NOT_FOUND);

        assertThat(answer.messageIds()).containsExactly("x.y");
        assertThat(answer.data()).containsEntry("pid", 7);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void a401WithALiveSessionIsTheGuestsUnauthenticated(Flavour flavour) {
        loggedInHost();
        HostMockServer.stub(terminate().willReturn(vapiError(401, "UNAUTHENTICATED",
                "com.vmware.api.vcenter.vm.guest.credentials.invalid", "The guest credentials are not valid.", null)));

        VapiAnswer answer = delete(flavour, VM, 1000).send().assertError(401, ErrorType.UNAUTHENTICATED);

        assertThat(answer.messageIds()).containsExactly("com.vmware.api.vcenter.vm.guest.credentials.invalid");
        assertThat(sessionChecks()).hasSize(1)
                .allSatisfy(r -> assertThat(r.getHeader("vmware-api-session-id")).isEqualTo("sess-1"));
        assertThat(logins()).hasSize(1);
        assertThat(terminates()).hasSize(1);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void a401WithAnExpiredSessionLogsInAgainOnceAndRepeats(Flavour flavour) {
        String scenario = "expiry";
        HostMockServer.stub(login().inScenario(scenario).whenScenarioStateIs(Scenario.STARTED).willReturn(sessionId("sess-1")));
        HostMockServer.stub(terminate().inScenario(scenario).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(unauthenticated()).willSetStateTo("expired"));
        HostMockServer.stub(sessionCheck().inScenario(scenario).whenScenarioStateIs("expired")
                .willReturn(unauthenticated()));
        HostMockServer.stub(login().inScenario(scenario).whenScenarioStateIs("expired").willReturn(sessionId("sess-2"))
                .willSetStateTo("renewed"));
        HostMockServer.stub(terminate().inScenario(scenario).whenScenarioStateIs("renewed")
                .withHeader("vmware-api-session-id", equalTo("sess-2")).willReturn(aResponse().withStatus(204)));

        delete(flavour, VM, 1000).send().assertSuccess();

        assertThat(logins()).hasSize(2);
        assertThat(sessionChecks()).hasSize(1);
        assertThat(terminates()).extracting(r -> r.getHeader("vmware-api-session-id")).containsExactly("sess-1", "sess-2");
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void a401AfterReLoginIsTheGuestsNotALoop(Flavour flavour) {
        HostMockServer.stub(login().willReturn(sessionId("sess-1")));
        HostMockServer.stub(terminate().willReturn(unauthenticated()));
        HostMockServer.stub(sessionCheck().willReturn(unauthenticated()));

        VapiAnswer answer = delete(flavour, VM, 1000).send().assertError(401, ErrorType.UNAUTHENTICATED);

        assertThat(answer.messageIds()).containsExactly("com.vmware.vapi.endpoint.method.authentication.required");
        assertThat(logins()).hasSize(2);
        assertThat(sessionChecks()).hasSize(1);
        assertThat(terminates()).hasSize(2);
    }

    static Stream<Arguments> notJson() {
        Object[][] cases = {
            {"HTML error page", aResponse().withStatus(500).withHeader("Content-Type", "text/html")
                    .withBody("<html>SECRET-MARKER</html>"), 500},
            {"truncated JSON", aResponse().withStatus(404).withHeader("Content-Type", "application/json")
                    .withBody("{\"error_type\":\"NOT_FOUND\",\"messages\":[{\"id\":\"SECRET-MARKER"), 404},
            {"JSON that is not a vAPI error", aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                    .withBody("{\"SECRET-MARKER\":1}"), 400},
            {"vAPI error as text/plain", aResponse().withStatus(404).withHeader("Content-Type", "text/plain")
                    .withBody("{\"error_type\":\"NOT_FOUND\",\"messages\":[],\"data\":\"SECRET-MARKER\"}"), 404},
        };
        return Arrays.stream(Flavour.values()).flatMap(f -> Arrays.stream(cases).map(c -> Arguments.of(f, c[0], c[1], c[2])));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("notJson")
    void anAnswerThatIsNotAVapiErrorIsAGatewayErrorWithoutTheBody(Flavour flavour, String what,
            ResponseDefinitionBuilder response, int hostStatus) {
        loggedInHost();
        HostMockServer.stub(terminate().willReturn(response));

        VapiAnswer answer = delete(flavour, VM, 1000).send().assertError(500, ErrorType.ERROR);

        assertThat(answer.messageIds()).containsExactly("com.guestops.gateway.host.bad_response");
        assertThat(answer.messages().get(0).get("args")).isEqualTo(List.of("vc-mock", Integer.toString(hostStatus)));
        assertThat(answer.body()).doesNotContain("SECRET-MARKER");
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aLoginAnswerThatIsNotASessionIdIsAGatewayError(Flavour flavour) {
        loggedInHost();
        HostMockServer.stub(login().willReturn(aResponse().withStatus(201).withHeader("Content-Type", "text/html")
                .withBody("<html>SECRET-MARKER</html>")));

        VapiAnswer answer = delete(flavour, VM, 1000).send().assertError(500, ErrorType.ERROR);

        assertThat(answer.messageIds()).containsExactly("com.guestops.gateway.host.bad_response");
        assertThat(answer.body()).doesNotContain("SECRET-MARKER");
        assertThat(terminates()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aProxyErrorPageSaysTheHostIsUnavailable(Flavour flavour) {
        loggedInHost();
        HostMockServer.stub(terminate().willReturn(aResponse().withStatus(503).withHeader("Content-Type", "text/html")
                .withBody("<html>vpxd is down</html>")));

        VapiAnswer answer = delete(flavour, VM, 1000).send().assertError(503, ErrorType.SERVICE_UNAVAILABLE);

        assertThat(answer.messageIds()).containsExactly("com.guestops.gateway.host.unavailable");
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aRefusedServiceAccountIsServiceUnavailable(Flavour flavour) {
        loggedInHost();
        HostMockServer.stub(login().willReturn(unauthenticated()));

        VapiAnswer answer = delete(flavour, VM, 1000).send().assertError(503, ErrorType.SERVICE_UNAVAILABLE);

        assertThat(answer.messageIds()).containsExactly("com.guestops.gateway.host.login_failed");
        assertThat(terminates()).isEmpty();
    }
}
