package com.guestops.gateway.host.vim25;

import static com.guestops.gateway.host.vim25.Vim25Mock.LIST_PROCESSES;
import static com.guestops.gateway.host.vim25.Vim25Mock.TERMINATE;
import static com.guestops.gateway.host.vim25.Vim25Mock.fixture;
import static com.guestops.gateway.host.vim25.Vim25Mock.xml;
import static com.guestops.gateway.support.VapiCall.delete;
import static com.guestops.gateway.support.VapiCall.get;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.guestops.gateway.api.Flavour;
import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.support.HostMockServer;
import com.guestops.gateway.support.RealHosts;
import com.guestops.gateway.support.VapiAnswer;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Safe kill against a WireMock vim25 host, through HTTP in both flavours: the lookup is
 * {@code ListProcessesInGuest} for the one pid (fixtures written from the API reference, see
 * fixtures/vim25/README.md), and a conditional delete sends {@code TerminateProcessInGuest} only after a lookup
 * that matched. The host's journal proves that a mismatch sends no kill.
 */
@QuarkusTest
class Vim25SafeKillTest {

    static final String VM = "vm-54";
    private final Vim25Mock esx = new Vim25Mock("/sdk");

    @Inject
    RealHosts hosts;

    @BeforeEach
    void freshHost() {
        hosts.reset();
        esx.sessionSetUp().terminateAnswers(Vim25Mock.terminateSuccess());
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void getIsListProcessesInGuestForThePidAndAnswersProcessInfo(Flavour f) {
        esx.listProcessesAnswers(xml(200, fixture("ListProcessesInGuest.response.xml")));

        VapiAnswer answer = get(f, VM, 4242).send();

        answer.assertFound();
        assertThat(answer.info()).containsOnlyKeys("name", "owner", "command", "started")
                .containsEntry("name", "worker").containsEntry("owner", "root")
                .containsEntry("command", "\"/opt/demo/worker\" --supervised")
                .containsEntry("started", "2026-01-01T00:00:00Z");
        String sent = esx.received(LIST_PROCESSES).get(0).getBodyAsString();
        assertThat(sent).contains("<urn:_this type=\"GuestProcessManager\">guestOperationsProcessManager</urn:_this>")
                .contains("<urn:vm type=\"VirtualMachine\">vm-54</urn:vm>")
                .contains("<urn:pids>4242</urn:pids>")
                .contains("<urn:username>root</urn:username>");
        assertThat(esx.count(TERMINATE)).isZero();
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void anEmptyAnswerIsNotFoundWithThePid(Flavour f) {
        esx.listProcessesAnswers(xml(200, fixture("ListProcessesInGuest.empty.response.xml")));

        VapiAnswer answer = get(f, VM, 4242).send().assertError(404, ErrorType.NOT_FOUND);

        assertThat(answer.data()).containsEntry("pid", 4242);
        assertThat(answer.messageIds()).containsExactly("vim.fault.GuestProcessNotFound");
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void anEndedProcessAnswersFinishedAndExitCode(Flavour f) {
        esx.listProcessesAnswers(xml(200, fixture("ListProcessesInGuest.ended.response.xml")));

        VapiAnswer answer = get(f, VM, 4242).send();

        answer.assertFound();
        assertThat(answer.info()).containsEntry("finished", "2026-01-01T00:01:00Z").containsEntry("exit_code", 0);
        // and a conditional delete of it kills nothing: it has already ended
        delete(f, VM, 4242).ifMatch("*").send().assertError(404, ErrorType.NOT_FOUND);
        assertThat(esx.count(TERMINATE)).isZero();
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aMatchingETagLooksUpThenKills(Flavour f) {
        esx.listProcessesAnswers(xml(200, fixture("ListProcessesInGuest.response.xml")));
        String etag = get(f, VM, 4242).send().assertFound();

        delete(f, VM, 4242).ifMatch(etag).send().assertSuccess();

        assertThat(esx.count(LIST_PROCESSES)).isEqualTo(2);
        assertThat(esx.count(TERMINATE)).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aRestartedProcessIsConcurrentChangeAndNoKillIsSent(Flavour f) {
        esx.listProcessesAnswers(xml(200, fixture("ListProcessesInGuest.response.xml")));
        String etag = get(f, VM, 4242).send().assertFound();
        esx.listProcessesAnswers(xml(200, fixture("ListProcessesInGuest.restarted.response.xml")));

        VapiAnswer answer = delete(f, VM, 4242).ifMatch(etag).send().assertError(409, ErrorType.CONCURRENT_CHANGE);

        assertThat(answer.data()).containsEntry("pid", 4242).containsEntry("changed", "started")
                .containsEntry("started", "2026-01-01T00:05:00.250Z").containsEntry("expected_started", "2026-01-01T00:00:00Z");
        assertThat(esx.count(TERMINATE)).as("no TerminateProcessInGuest reached the host").isZero();
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void ifMatchStarOnAPidTheGuestDoesNotHaveKillsNothing(Flavour f) {
        esx.listProcessesAnswers(xml(200, fixture("ListProcessesInGuest.empty.response.xml")));

        delete(f, VM, 4242).ifMatch("*").send().assertError(404, ErrorType.NOT_FOUND);

        assertThat(esx.count(TERMINATE)).isZero();
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void withoutIfMatchOnlyTheKillIsSent(Flavour f) {
        delete(f, VM, 4242).send().assertSuccess();

        assertThat(esx.count(LIST_PROCESSES)).isZero();
        assertThat(esx.count(TERMINATE)).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aLookupTheHostDroppedIsRetriedUnlikeAKill(Flavour f) {
        HostMockServer.stub(esx.call(LIST_PROCESSES).inScenario("drop").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse()
                        .withFault(com.github.tomakehurst.wiremock.http.Fault.CONNECTION_RESET_BY_PEER))
                .willSetStateTo("up"));
        HostMockServer.stub(esx.call(LIST_PROCESSES).inScenario("drop").whenScenarioStateIs("up")
                .willReturn(xml(200, fixture("ListProcessesInGuest.response.xml"))));

        get(f, VM, 4242).send().assertFound();

        assertThat(esx.count(LIST_PROCESSES)).isEqualTo(2);
    }
}
