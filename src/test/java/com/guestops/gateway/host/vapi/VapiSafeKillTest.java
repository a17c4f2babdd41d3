package com.guestops.gateway.host.vapi;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.guestops.gateway.support.VapiCall.delete;
import static com.guestops.gateway.support.VapiCall.get;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.guestops.gateway.api.Flavour;
import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.support.HostMockServer;
import com.guestops.gateway.support.RealHosts;
import com.guestops.gateway.support.VapiAnswer;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Safe kill against a WireMock vCenter (vAPI REST), through HTTP in both flavours: the lookup is forwarded as
 * {@code action=get} and its {@code Processes.Info} relayed with an ETag; a conditional delete forwards
 * {@code action=delete} only after a lookup that matched. The host's journal proves that a mismatch sends no kill.
 */
@QuarkusTest
class VapiSafeKillTest {

    static final String VM = VapiHostClientTest.VM;
    static final String PROCESS = "/vc/api/vcenter/vm/" + VM + "/guest/processes/[0-9]+";
    static final String WORKER = "{\"name\":\"worker\",\"owner\":\"root\",\"command\":\"/opt/demo/worker --supervised\","
            + "\"started\":\"2026-01-01T00:00:00.000Z\"}";
    static final String RESTARTED = WORKER.replace("2026-01-01T00:00:00.000Z", "2026-01-01T00:05:00.250Z");

    @Inject
    RealHosts hosts;

    @BeforeEach
    void freshHost() {
        hosts.reset();
        VapiHostClientTest.loggedInHost(); // login, session check, and action=delete answering 204
    }

    static MappingBuilder lookup() {
        return post(urlPathMatching(PROCESS)).withQueryParam("action", equalTo("get"));
    }

    static ResponseDefinitionBuilder info(String json) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(json);
    }

    static List<LoggedRequest> lookups() {
        return HostMockServer.requests(postRequestedFor(urlPathMatching(PROCESS)).withQueryParam("action", equalTo("get")));
    }

    static List<LoggedRequest> kills() {
        return HostMockServer.requests(postRequestedFor(urlPathMatching(PROCESS)).withQueryParam("action", equalTo("delete")));
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void getIsForwardedAndItsInfoRelayedWithAnETag(Flavour f) {
        HostMockServer.stub(lookup().willReturn(info(WORKER)));

        VapiAnswer answer = get(f, VM, 4242).send();

        answer.assertFound();
        assertThat(answer.info()).containsOnlyKeys("name", "owner", "command", "started")
                .containsEntry("name", "worker").containsEntry("started", "2026-01-01T00:00:00Z");
        LoggedRequest sent = lookups().get(0);
        assertThat(sent.getUrl()).isEqualTo("/vc/api/vcenter/vm/vm-vc-1/guest/processes/4242?action=get");
        assertThat(sent.getHeader("vmware-api-session-id")).isEqualTo("sess-1");
        assertThat(sent.getBodyAsString()).contains("\"user_name\":\"root\"");
        assertThat(kills()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void theHostsNotFoundIsRelayedWithThePid(Flavour f) {
        HostMockServer.stub(lookup().willReturn(VapiHostClientTest.vapiError(404, "NOT_FOUND",
                "com.vmware.api.vcenter.vm.guest.processes.not_found", "Process 4242 not found.", "{\"pid\":4242}")));

        VapiAnswer answer = get(f, VM, 4242).send().assertError(404, ErrorType.NOT_FOUND);

        assertThat(answer.data()).containsEntry("pid", 4242);
        delete(f, VM, 4242).ifMatch("*").send().assertError(404, ErrorType.NOT_FOUND);
        assertThat(kills()).as("nothing killed for a process that is gone").isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void anAnswerThatIsNotProcessInfoIsABadResponse(Flavour f) {
        HostMockServer.stub(lookup().willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/html")
                .withBody("<html>login</html>")));

        VapiAnswer answer = get(f, VM, 4242).send().assertError(500, ErrorType.ERROR);

        assertThat(answer.messageIds()).containsExactly("com.guestops.gateway.host.bad_response");
        assertThat(answer.body()).doesNotContain("login");
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aMatchingETagLooksUpThenKills(Flavour f) {
        HostMockServer.stub(lookup().willReturn(info(WORKER)));
        String etag = get(f, VM, 4242).send().assertFound();

        delete(f, VM, 4242).ifMatch(etag).send().assertSuccess();

        assertThat(lookups()).hasSize(2);
        assertThat(kills()).hasSize(1);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aRestartedProcessIsConcurrentChangeAndNoKillIsSent(Flavour f) {
        HostMockServer.stub(lookup().willReturn(info(WORKER)));
        String etag = get(f, VM, 4242).send().assertFound();
        HostMockServer.stub(lookup().willReturn(info(RESTARTED)));

        VapiAnswer answer = delete(f, VM, 4242).ifMatch(etag).send().assertError(409, ErrorType.CONCURRENT_CHANGE);

        assertThat(answer.data()).containsEntry("pid", 4242).containsEntry("changed", "started");
        assertThat(kills()).as("no action=delete reached the host").isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void withoutIfMatchOnlyTheKillIsSent(Flavour f) {
        delete(f, VM, 4242).send().assertSuccess();

        assertThat(lookups()).isEmpty();
        assertThat(kills()).hasSize(1);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aLookupMetByAProxys503IsRetried(Flavour f) {
        HostMockServer.stub(lookup().inScenario("proxy").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503).withBody("<html>try later</html>")).willSetStateTo("up"));
        HostMockServer.stub(lookup().inScenario("proxy").whenScenarioStateIs("up").willReturn(info(WORKER)));

        get(f, VM, 4242).send().assertFound();

        assertThat(lookups()).hasSize(2);
    }
}
