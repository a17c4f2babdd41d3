package com.guestops.gateway.api;

import static com.guestops.gateway.support.VapiCall.delete;
import static org.assertj.core.api.Assertions.assertThat;

import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.support.Simulators;
import com.guestops.gateway.support.VapiAnswer;
import com.guestops.gateway.support.VapiCall;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every outcome of the demo inventory, through HTTP, in both flavours. */
@QuarkusTest
class GuestProcessDeleteTest {

    @Inject
    Simulators simulators;

    @BeforeEach
    void freshSimulator() {
        simulators.resetAll();
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void rootTerminatesARespawningWorker(Flavour flavour) {
        delete(flavour, "vm-1", 1000).send().assertSuccess();
        delete(flavour, "vm-1", 1000).send().assertSuccess();
        assertThat(simulators.demo().calls("vm-1")).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void legacyTildeActionIsAccepted(Flavour flavour) {
        delete(flavour, "vm-1", 1500).rawQuery("~action=delete").send().assertSuccess();
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void oneShotProcessIsGoneAfterTheFirstDelete(Flavour flavour) {
        delete(flavour, "vm-1", 142).send().assertSuccess();

        VapiAnswer second = delete(flavour, "vm-1", 142).send().assertError(404, ErrorType.NOT_FOUND);
        assertThat(second.data()).containsEntry("pid", 142);
        assertThat(second.messageIds()).singleElement().asString().doesNotStartWith("com.guestops.gateway.");
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void unknownPidIsNotFoundWithThePidInData(Flavour flavour) {
        VapiAnswer answer = delete(flavour, "vm-1", 4242).send().assertError(404, ErrorType.NOT_FOUND);
        assertThat(answer.data()).containsEntry("pid", 4242);
        assertThat(answer.defaultMessages()).singleElement().asString().contains("4242");
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void samlTokenAuthenticatesAsRoot(Flavour flavour) {
        delete(flavour, "vm-1", 1001).body(VapiCall.SAML).send().assertSuccess();
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void unknownSamlTokenIsUnauthenticated(Flavour flavour) {
        delete(flavour, "vm-1", 1001)
                .body("{\"credentials\":{\"type\":\"SAML_BEARER_TOKEN\",\"saml_token\":\"forged\"}}")
                .send().assertError(401, ErrorType.UNAUTHENTICATED);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void guestMayTerminateItsOwnWorkers(Flavour flavour) {
        delete(flavour, "vm-1", 5000).body(VapiCall.GUEST).send().assertSuccess();
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void guestMayNotTerminateLowPids(Flavour flavour) {
        VapiAnswer answer = delete(flavour, "vm-1", 150).body(VapiCall.GUEST).send()
                .assertError(403, ErrorType.UNAUTHORIZED);
        assertThat(answer.defaultMessages()).singleElement().asString().contains("guest").contains("150");
        // the process was not touched: root can still terminate it once
        delete(flavour, "vm-1", 150).send().assertSuccess();
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void wrongPasswordIsUnauthenticated(Flavour flavour) {
        delete(flavour, "vm-1", 1000).body(VapiCall.usernamePassword("root", "wrong")).send()
                .assertError(401, ErrorType.UNAUTHENTICATED);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void unknownUserIsUnauthenticated(Flavour flavour) {
        delete(flavour, "vm-1", 1000).body(VapiCall.usernamePassword("mallory", "vmware")).send()
                .assertError(401, ErrorType.UNAUTHENTICATED);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void interactiveSessionOnlyForRootOnVm1(Flavour flavour) {
        String interactiveRoot = "{\"credentials\":{\"type\":\"USERNAME_PASSWORD\",\"user_name\":\"root\",\"password\":\"vmware\",\"interactive_session\":true}}";
        String interactiveGuest = "{\"credentials\":{\"type\":\"USERNAME_PASSWORD\",\"user_name\":\"guest\",\"password\":\"guest\",\"interactive_session\":true}}";
        delete(flavour, "vm-1", 1000).body(interactiveRoot).send().assertSuccess();
        VapiAnswer answer = delete(flavour, "vm-1", 5000).body(interactiveGuest).send()
                .assertError(401, ErrorType.UNAUTHENTICATED);
        assertThat(answer.defaultMessages()).singleElement().asString().contains("logged in interactively");
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void poweredOffVmIsNotAllowedInCurrentState(Flavour flavour) {
        delete(flavour, "vm-2", 1000).send().assertError(400, ErrorType.NOT_ALLOWED_IN_CURRENT_STATE);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void toolsNotRunningIsServiceUnavailable(Flavour flavour) {
        delete(flavour, "vm-3", 1000).send().assertError(503, ErrorType.SERVICE_UNAVAILABLE);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void busyVmSucceedsAfterTwoRetries(Flavour flavour) {
        delete(flavour, "vm-4", 1000).send().assertSuccess();
        assertThat(simulators.demo().calls("vm-4")).as("attempts the host saw").isEqualTo(3);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void guestWithoutProcessControlIsUnsupported(Flavour flavour) {
        delete(flavour, "vm-5", 1000).send().assertError(400, ErrorType.UNSUPPORTED);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void otherHostFailureIsError(Flavour flavour) {
        delete(flavour, "vm-lab-error", 7).body(VapiCall.usernamePassword("ops", "ops-pass")).send()
                .assertError(500, ErrorType.ERROR);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void routesToTheHostThatOwnsTheVm(Flavour flavour) {
        delete(flavour, "vm-lab-ok", 7).body(VapiCall.usernamePassword("ops", "ops-pass")).send().assertSuccess();
        assertThat(simulators.host("lab").calls("vm-lab-ok")).isEqualTo(1);
        assertThat(simulators.demo().calls("vm-lab-ok")).isZero();
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void vmThatNoHostOwnsIsNoRoute(Flavour flavour) {
        VapiAnswer answer = delete(flavour, "vm-404", 1000).send().assertError(404, ErrorType.NOT_FOUND);
        assertThat(answer.messageIds()).containsExactly("com.guestops.gateway.vm.no_route");
        assertThat(answer.data()).isNull();
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void vmUnknownToItsHostIsTheHostsNotFound(Flavour flavour) {
        VapiAnswer answer = delete(flavour, "vm-gone", 1000).send().assertError(404, ErrorType.NOT_FOUND);
        assertThat(answer.messageIds()).singleElement().asString().doesNotStartWith("com.guestops.gateway.");
    }
}
