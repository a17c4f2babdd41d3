package com.guestops.gateway.host.vim25;

import static com.guestops.gateway.support.VapiCall.delete;
import static com.guestops.gateway.support.VapiCall.get;
import static org.assertj.core.api.Assertions.assertThat;

import com.guestops.gateway.api.Flavour;
import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.host.HostClient;
import com.guestops.gateway.support.MetricsScrape;
import com.guestops.gateway.support.RealHosts;
import com.guestops.gateway.support.VapiAnswer;
import com.guestops.gateway.support.Vcsim;
import com.guestops.gateway.support.VcsimClient;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The vim25 client against a real vim25 server, govmomi's vcsim ({@link Vcsim}): login, one session
 * for many calls, a session ended on the server and exactly one re-login, a wrong service password,
 * discovery by {@code RetrievePropertiesEx}, logout, and how its answer to
 * {@code TerminateProcessInGuest} and {@code ListProcessesInGuest} (which vcsim 0.24 does not implement) reaches
 * the caller. The
 * server's own session list ({@link VcsimClient}) shows what the gateway did.
 */
@QuarkusTest
@WithTestResource(value = Vcsim.class, scope = TestResourceScope.GLOBAL)
class VcsimTest {

    @Inject
    RealHosts hosts;

    private final String vm = ConfigProvider.getConfig().getValue("test.vcsim.vm", String.class);
    private final String discoveredVm = ConfigProvider.getConfig().getValue("test.vcsim.discovered-vm", String.class);
    private final String badPasswordVm = ConfigProvider.getConfig().getValue("test.vcsim.badpw-vm", String.class);

    @BeforeEach
    void freshClients() {
        hosts.reset(); // logs the previous clients out: the server starts without sessions of ours
    }

    private static double logins(MetricsScrape before, String host, String result) {
        return MetricsScrape.take().delta(before, "guestops_host_logins_total", "host", host, "result", result);
    }

    /** vcsim has no TerminateProcessInGuest: its MethodNotFound fault is the host's 500 error, relayed. */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void itsAnswerToTerminateProcessInGuestIsTheHostsError(Flavour flavour) {
        VapiAnswer answer = delete(flavour, vm, 4242).send().assertError(500, ErrorType.ERROR);

        assertThat(answer.messageIds()).containsExactly("vmodl.fault.MethodNotFound");
        assertThat(answer.defaultMessages()).singleElement().asString().contains("does not implement: TerminateProcessInGuest");
        assertThat(answer.body()).doesNotContain(Vcsim.PASSWORD);
    }

    /**
     * Nor ListProcessesInGuest: the process lookup gets the same relayed 500, and a conditional delete stops
     * there: its kill is never sent (the server is asked exactly once).
     */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void itsAnswerToListProcessesInGuestIsTheHostsErrorAndNoKillFollows(Flavour flavour) {
        VapiAnswer lookup = get(flavour, vm, 4242).send().assertError(500, ErrorType.ERROR);
        assertThat(lookup.messageIds()).containsExactly("vmodl.fault.MethodNotFound");
        assertThat(lookup.defaultMessages()).singleElement().asString().contains("does not implement: ListProcessesInGuest");

        VapiAnswer conditional = delete(flavour, vm, 4242).ifMatch("*").send().assertError(500, ErrorType.ERROR);
        assertThat(conditional.defaultMessages()).singleElement().asString()
                .contains("ListProcessesInGuest").doesNotContain("TerminateProcessInGuest");
        assertThat(conditional.body()).doesNotContain(Vcsim.PASSWORD);
    }

    @Test
    void oneLoginServesManyCallsAndTheServerSeesOneSession() throws Exception {
        MetricsScrape before = MetricsScrape.take();
        for (int i = 0; i < 3; i++) {
            delete(Flavour.API, vm, 1000 + i).send().assertError(500, ErrorType.ERROR);
        }

        assertThat(logins(before, "vcsim", "success")).isEqualTo(1.0);
        VcsimClient admin = VcsimClient.login();
        try {
            assertThat(admin.otherSessions()).singleElement()
                    .satisfies(s -> assertThat(s.userName()).isEqualTo(Vcsim.USER));
        } finally {
            admin.logout();
        }
    }

    @Test
    void aSessionEndedOnTheServerCausesExactlyOneReLogin() throws Exception {
        delete(Flavour.API, vm, 1000).send().assertError(500, ErrorType.ERROR);
        VcsimClient admin = VcsimClient.login();
        try {
            List<VcsimClient.UserSession> first = admin.otherSessions();
            assertThat(first).hasSize(1);
            admin.terminateOtherSessions(); // the next call finds its session gone: NotAuthenticated
            MetricsScrape before = MetricsScrape.take();

            VapiAnswer answer = delete(Flavour.REST, vm, 1001).send().assertError(500, ErrorType.ERROR);

            assertThat(answer.messageIds()).as("the repeated call's own answer").containsExactly("vmodl.fault.MethodNotFound");
            assertThat(logins(before, "vcsim", "success")).isEqualTo(1.0);
            assertThat(admin.otherSessions()).singleElement().satisfies(s -> assertThat(s.key()).isNotEqualTo(first.get(0).key()));
        } finally {
            admin.logout();
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aWrongServicePasswordIsLoginFailedAndNotTriedAgainDuringTheBackOff(Flavour flavour) {
        MetricsScrape before = MetricsScrape.take();

        VapiAnswer answer = delete(flavour, badPasswordVm, 1000).send().assertError(503, ErrorType.SERVICE_UNAVAILABLE);
        delete(flavour, badPasswordVm, 1000).send().assertError(503, ErrorType.SERVICE_UNAVAILABLE);

        assertThat(answer.messageIds()).containsExactly("com.guestops.gateway.host.login_failed");
        assertThat(answer.messages().get(0).get("args")).isEqualTo(List.of("vcsim-badpw", "InvalidLogin"));
        assertThat(logins(before, "vcsim-badpw", "refused")).isEqualTo(1.0);
    }

    @Test
    void discoveryAsksItWithRetrievePropertiesEx() {
        HostClient vcsim = hosts.client("vcsim");
        assertThat(vcsim.lookup(discoveredVm, Duration.ofSeconds(5)).await().atMost(Duration.ofSeconds(10)))
                .isEqualTo(HostClient.Ownership.OWNS);
        assertThat(vcsim.lookup("vm-99999", Duration.ofSeconds(5)).await().atMost(Duration.ofSeconds(10)))
                .as("ManagedObjectNotFound").isEqualTo(HostClient.Ownership.NOT_HERE);
    }

    @Test
    void aVmOnlyItHasIsDiscoveredThere() {
        MetricsScrape before = MetricsScrape.take();

        VapiAnswer answer = delete(Flavour.API, discoveredVm, 1000).send().assertError(500, ErrorType.ERROR);

        assertThat(answer.messageIds()).as("the kill reached vcsim").containsExactly("vmodl.fault.MethodNotFound");
        MetricsScrape after = MetricsScrape.take();
        assertThat(after.delta(before, "guestops_directory_lookups_total", "result", "discovered")).isEqualTo(1.0);
        assertThat(after.delta(before, "guestops_terminate_requests_total", "host", "vcsim")).isEqualTo(1.0);
    }

    @Test
    void logoutEndsTheSessionOnTheServer() throws Exception {
        delete(Flavour.API, vm, 1000).send().assertError(500, ErrorType.ERROR);
        VcsimClient admin = VcsimClient.login();
        try {
            assertThat(admin.otherSessions()).hasSize(1);

            hosts.client("vcsim").logout().await().atMost(HostClient.LOGOUT_TIMEOUT.plusSeconds(1));

            assertThat(admin.otherSessions()).isEmpty();
        } finally {
            admin.logout();
        }
    }
}
