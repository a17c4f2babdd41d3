package com.guestops.gateway.resilience;

import static com.guestops.gateway.support.VapiCall.delete;
import static org.assertj.core.api.Assertions.assertThat;

import com.guestops.gateway.api.Flavour;
import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.support.HostMockServer;
import com.guestops.gateway.support.MetricsScrape;
import com.guestops.gateway.support.RealHosts;
import com.guestops.gateway.support.Simulators;
import com.guestops.gateway.support.VapiAnswer;
import com.guestops.gateway.support.VapiCall;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Issue 12, items 6, 7 and 8, through HTTP. */
@QuarkusTest
class HonestAnswersTest {

    private static final String OPS = VapiCall.usernamePassword("ops", "ops-pass");

    @Inject
    Simulators simulators;

    @Inject
    RealHosts hosts;

    @BeforeEach
    void reset() {
        simulators.resetAll();
        hosts.reset();
    }

    /** Item 8 (README example): the busy demo VM, three times in a row, succeeds three times. */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void theBusyDemoVmSucceedsThreeTimesInARow(Flavour f) {
        for (int i = 0; i < 3; i++) {
            delete(f, "vm-4", 1000).send().assertSuccess();
        }
        assertThat(simulators.demo().calls("vm-4")).isEqualTo(9);
    }

    /** Item 7: a connection dropped after the request was sent: maybe done, said so, not retried. */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aConnectionDroppedAfterSendingSaysTheKillMayHaveHappened(Flavour f) {
        VapiAnswer answer = delete(f, "vm-lab-reset", 7).body(OPS).send().assertError(503, ErrorType.SERVICE_UNAVAILABLE);
        assertThat(answer.messageIds()).containsExactly("com.guestops.gateway.host.connection_lost");
        assertThat(answer.defaultMessages()).singleElement().asString().contains("may or may not have been terminated");
        assertThat(simulators.host("lab").calls("vm-lab-reset")).isEqualTo(1);
    }

    /** Item 7, the other side: a refused connection sent nothing, and says that too. */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aRefusedConnectionSaysNothingWasTerminated(Flavour f) {
        VapiAnswer answer = delete(f, "vm-down", 1000).send().assertError(503, ErrorType.SERVICE_UNAVAILABLE);
        assertThat(answer.messageIds()).containsExactly("com.guestops.gateway.host.unreachable");
        assertThat(answer.defaultMessages()).singleElement().asString().contains("was not terminated");
    }

    /** Item 6: input a vim25 host cannot carry is refused before any guard, and is no host attempt. */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void anInputRefusalIsNeverAHostAttemptEvenWithTheBreakerOpen(Flavour f) {
        // open esx-mock's breaker: its proxy answers 503 to every call
        HostMockServer.stub(com.github.tomakehurst.wiremock.client.WireMock.post(
                com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo("/sdk")).willReturn(
                        com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(503)
                                .withHeader("Content-Type", "text/html").withBody("<html>down</html>")));
        for (int i = 0; i < 20; i++) {
            delete(f, "vm-54", 1000).send().assertError(503, ErrorType.SERVICE_UNAVAILABLE);
        }
        VapiAnswer open = delete(f, "vm-54", 1000).send().assertError(503, ErrorType.SERVICE_UNAVAILABLE);
        assertThat(open.messageIds()).containsExactly("com.guestops.gateway.host.circuit_open");

        MetricsScrape before = MetricsScrape.take();
        VapiAnswer refused = delete(f, "vm-54", 1000).body(VapiCall.usernamePassword("root", "bell\\u0007")).send()
                .assertError(400, ErrorType.INVALID_ARGUMENT);

        assertThat(refused.messageIds()).containsExactly("com.guestops.gateway.validation.value.not_xml");
        assertThat(MetricsScrape.take().delta(before, "guestops_host_attempts_total", "host", "esx-mock")).isZero();
    }

    @Test
    void anInputRefusalIsNotCountedAsAnAttempt() {
        MetricsScrape before = MetricsScrape.take();
        delete(Flavour.API, "vm-54", 1000).body(VapiCall.usernamePassword("root", "bell\\u0007")).send()
                .assertError(400, ErrorType.INVALID_ARGUMENT);
        assertThat(MetricsScrape.take().delta(before, "guestops_host_attempts_total", "host", "esx-mock")).isZero();
    }
}
