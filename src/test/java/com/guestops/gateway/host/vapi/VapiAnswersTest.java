package com.guestops.gateway.host.vapi;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.guestops.gateway.support.VapiCall.delete;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.guestops.gateway.api.Flavour;
import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.support.HostMockServer;
import com.guestops.gateway.support.LogCapture;
import com.guestops.gateway.support.RealHosts;
import com.guestops.gateway.support.VapiAnswer;
import com.guestops.gateway.support.VapiCall;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a vCenter answers to a delete, and what the caller is told (issue 12, items 1, 4 and 7): only
 * the protocol's own success is a success; host errors are relayed bounded and without the caller's
 * secrets; a connection lost after sending is reported as possibly done.
 */
@QuarkusTest
class VapiAnswersTest {

    static final String VM = VapiHostClientTest.VM;

    @Inject
    RealHosts hosts;

    @BeforeEach
    void freshHost() {
        hosts.reset();
        VapiHostClientTest.loggedInHost();
    }

    static Stream<Arguments> notTheProtocolsSuccess() {
        byte[] big = new byte[10 * 1024 * 1024];
        Arrays.fill(big, (byte) 'a');
        Object[][] cases = {
            {"SSO login page", aResponse().withStatus(200).withHeader("Content-Type", "text/html")
                    .withBody("<html><body>Sign in SECRET-MARKER</body></html>")},
            {"JSON body", aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("{\"SECRET-MARKER\":1}")},
            {"201", aResponse().withStatus(201)},
            {"10 MB body", aResponse().withStatus(200).withHeader("Content-Type", "application/octet-stream").withBody(big)},
        };
        return Arrays.stream(Flavour.values()).flatMap(f -> Arrays.stream(cases).map(c -> Arguments.of(f, c[0], c[1])));
    }

    /** Item 1: a 2xx that is not 204 or an empty 200 is not a kill. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("notTheProtocolsSuccess")
    void aTwoHundredThatIsNotTheProtocolsSuccessIsABadResponse(Flavour flavour, String what, ResponseDefinitionBuilder answer) {
        HostMockServer.stub(VapiHostClientTest.terminate().willReturn(answer));

        VapiAnswer response = delete(flavour, VM, 4242).send().assertError(500, ErrorType.ERROR);

        assertThat(response.messageIds()).containsExactly("com.guestops.gateway.host.bad_response");
        assertThat(response.body()).doesNotContain("SECRET-MARKER").hasSizeLessThan(2048);
        assertThat(response.defaultMessages()).singleElement().asString().contains("may or may not have been terminated");
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void anEmptyTwoHundredIsASuccess(Flavour flavour) {
        HostMockServer.stub(VapiHostClientTest.terminate().willReturn(aResponse().withStatus(200)));

        delete(flavour, VM, 4242).send().assertSuccess();
    }

    /** Item 4: a host error is relayed, but bounded: strings truncated, the whole answer at most 16 KiB. */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aHugeHostErrorIsRelayedBounded(Flavour flavour) {
        String longText = "y".repeat(200_000);
        StringBuilder args = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            args.append(i == 0 ? "" : ",").append('"').append(longText, 0, 5_000).append('"');
        }
        String body = "{\"error_type\":\"ERROR\",\"messages\":[{\"id\":\"com.vmware.x\",\"default_message\":\"" + longText
                + "\",\"args\":[" + args + "]}],\"data\":{\"blob\":\"" + longText + "\",\"nested\":{\"deep\":[\"" + longText + "\"]}}}";
        HostMockServer.stub(VapiHostClientTest.terminate().willReturn(aResponse().withStatus(500)
                .withHeader("Content-Type", "application/json").withBody(body)));

        VapiAnswer response = delete(flavour, VM, 4242).send().assertError(500, ErrorType.ERROR);

        assertThat(response.body().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(16 * 1024);
        assertThat(response.messageIds()).containsExactly("com.vmware.x");
    }

    /** Item 4: a host that echoes the caller's password or SAML token does not get it relayed. */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void theCallersSecretsAreRedactedWhenAHostEchoesThem(Flavour flavour) {
        String password = "Pw-echo-8d1f2a";
        String token = "<saml:Assertion>tok-echo-77c3</saml:Assertion>";
        HostMockServer.stub(VapiHostClientTest.terminate().willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json").withBody("{\"error_type\":\"INVALID_ARGUMENT\",\"messages\":[{"
                        + "\"id\":\"com.vmware.x\",\"default_message\":\"bad password " + password + " or token " + token + "\","
                        + "\"args\":[\"" + password + "\",\"<saml:Assertion>tok-echo-77c3</saml:Assertion>\"]}],"
                        + "\"data\":{\"echo\":\"" + password + "\"}}")));

        try (LogCapture log = LogCapture.start()) {
            VapiAnswer first = delete(flavour, VM, 4242).body(VapiCall.usernamePassword("root", password)).send()
                    .assertError(400, ErrorType.INVALID_ARGUMENT);
            VapiAnswer second = delete(flavour, VM, 4242).body("{\"credentials\":{\"type\":\"SAML_BEARER_TOKEN\","
                    + "\"user_name\":\"root\",\"saml_token\":\"" + token.replace("\"", "\\\"") + "\"}}").send()
                    .assertError(400, ErrorType.INVALID_ARGUMENT);

            assertThat(first.body()).doesNotContain(password).contains("com.vmware.x");
            assertThat(second.body()).doesNotContain("tok-echo-77c3");
            assertThat(log.all()).doesNotContain(password).doesNotContain("tok-echo-77c3");
        }
    }

    /** Item 7: a connection dropped after the delete was sent may have killed the process: say so, never retry. */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aConnectionResetAfterSendingMayHaveHappened(Flavour flavour) {
        HostMockServer.stub(VapiHostClientTest.terminate().willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        VapiAnswer response = delete(flavour, VM, 4242).send().assertError(503, ErrorType.SERVICE_UNAVAILABLE);

        assertThat(response.messageIds()).containsExactly("com.guestops.gateway.host.connection_lost");
        assertThat(response.defaultMessages()).singleElement().asString().contains("may or may not have been terminated");
        assertThat(VapiHostClientTest.terminates()).hasSize(1);
    }
}
