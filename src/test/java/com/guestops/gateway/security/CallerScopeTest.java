package com.guestops.gateway.security;

import static com.guestops.gateway.support.VapiCall.delete;
import static org.assertj.core.api.Assertions.assertThat;

import com.guestops.gateway.api.Flavour;
import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.routing.HostDirectory;
import com.guestops.gateway.support.ControllableSimulator;
import com.guestops.gateway.support.Simulators;
import com.guestops.gateway.support.TestTokens;
import com.guestops.gateway.support.VapiAnswer;
import com.guestops.gateway.support.VapiCall;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Scoping rules of the test profile (application.properties):
 * <pre>
 * rules[0] subjects=svc-lab-vms     vms=vm-lab-*
 * rules[1] subjects=svc-demo-host   hosts=demo
 * rules[2] groups=team-vm-one       vms=vm-1,vm-gone  hosts=demo
 * rules[3] subjects=svc-disc-a      hosts=disc-a         (VMs found by discovery)
 * rules[4] groups=guestops-test-suite                    (everything: the default test token)
 * </pre>
 */
@QuarkusTest
class CallerScopeTest {

    private static final String LAB = VapiCall.usernamePassword("ops", "ops-pass");

    @Inject
    Simulators simulators;

    @Inject
    HostDirectory directory;

    @BeforeEach
    @AfterEach
    void freshSimulator() {
        simulators.resetAll();
        directory.invalidate("vm-moving"); // forget where discovery last found it
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void vmPatternAllows(Flavour flavour) {
        delete(flavour, "vm-lab-ok", 7).body(LAB).token(TestTokens.token("svc-lab-vms", TestTokens.ROLE)).send()
                .assertSuccess();
        assertThat(simulators.host("lab").calls("vm-lab-ok")).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void vmPatternDenies(Flavour flavour) {
        VapiAnswer answer = delete(flavour, "vm-1", 1000).token(TestTokens.token("svc-lab-vms", TestTokens.ROLE)).send();
        assertOutOfScope(answer, "svc-lab-vms", "vm-1");
        assertThat(simulators.demo().calls("vm-1")).isZero();
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void outOfScopeVmIsDeniedEvenWhenItDoesNotExist(Flavour flavour) {
        // 403, not 404: a caller learns nothing about VMs outside its scope
        VapiAnswer answer = delete(flavour, "vm-404", 1000).token(TestTokens.token("svc-lab-vms", TestTokens.ROLE)).send();
        assertOutOfScope(answer, "svc-lab-vms", "vm-404");
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void hostAllows(Flavour flavour) {
        delete(flavour, "vm-1", 1000).token(TestTokens.token("svc-demo-host", TestTokens.ROLE)).send().assertSuccess();
        assertThat(simulators.demo().calls("vm-1")).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void hostDenies(Flavour flavour) {
        VapiAnswer answer = delete(flavour, "vm-lab-ok", 7).body(LAB)
                .token(TestTokens.token("svc-demo-host", TestTokens.ROLE)).send();
        assertOutOfScope(answer, "svc-demo-host", "vm-lab-ok");
        assertThat(simulators.host("lab").calls("vm-lab-ok")).isZero();
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void hostRuleDoesNotHideUnknownVms(Flavour flavour) {
        delete(flavour, "vm-404", 1000).token(TestTokens.token("svc-demo-host", TestTokens.ROLE)).send()
                .assertError(404, ErrorType.NOT_FOUND);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void groupRuleWithVmsAndHosts(Flavour flavour) {
        String member = TestTokens.token("alice", TestTokens.ROLE, "team-vm-one");
        delete(flavour, "vm-1", 1000).token(member).send().assertSuccess();
        assertOutOfScope(delete(flavour, "vm-2", 1000).token(member).send(), "alice", "vm-2");
        assertOutOfScope(delete(flavour, "vm-lab-ok", 7).body(LAB).token(member).send(), "alice", "vm-lab-ok");
        assertThat(simulators.demo().calls("vm-1")).isEqualTo(1);
        assertThat(simulators.demo().calls("vm-2")).isZero();
        assertThat(simulators.host("lab").calls("vm-lab-ok")).isZero();
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void firstMatchingRuleWins(Flavour flavour) {
        // svc-lab-vms is also in the suite's group, whose rule would allow everything: rule 0 decides
        String token = TestTokens.token("svc-lab-vms", TestTokens.ROLE, TestTokens.SUITE_GROUP);
        assertOutOfScope(delete(flavour, "vm-1", 1000).token(token).send(), "svc-lab-vms", "vm-1");
        delete(flavour, "vm-lab-ok", 7).body(LAB).token(token).send().assertSuccess();
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void callerNoRuleAppliesToIsDenied(Flavour flavour) {
        VapiAnswer answer = delete(flavour, "vm-1", 1000).token(TestTokens.token("svc-stranger", TestTokens.ROLE)).send();
        assertOutOfScope(answer, "svc-stranger", "vm-1");
        assertThat(simulators.demo().calls("vm-1")).isZero();
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void roleIsStillRequiredInScope(Flavour flavour) {
        delete(flavour, "vm-lab-ok", 7).body(LAB).token(TestTokens.token("svc-lab-vms")).send()
                .assertError(403, ErrorType.UNAUTHORIZED);
        assertThat(simulators.host("lab").calls("vm-lab-ok")).isZero();
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void discoveredOwnerIsCheckedLikeAStaticOne(Flavour flavour) {
        String token = TestTokens.token("svc-disc-a", TestTokens.ROLE);
        delete(flavour, "vm-disc-a", 7).body(LAB).token(token).send().assertSuccess();
        assertOutOfScope(delete(flavour, "vm-disc-b", 7).body(LAB).token(token).send(), "svc-disc-a", "vm-disc-b");
        assertThat(simulators.host("disc-a").calls("vm-disc-a")).isEqualTo(1);
        assertThat(simulators.host("disc-b").calls("vm-disc-b")).as("terminate calls to the out-of-scope owner").isZero();
    }

    @Test
    void aMovedVmsNewOwnerMustBeInScopeToo() {
        String token = TestTokens.token("svc-disc-a", TestTokens.ROLE);
        ControllableSimulator a = simulators.host("disc-a");
        ControllableSimulator b = simulators.host("disc-b");
        delete(Flavour.API, "vm-moving", 7).body(LAB).token(token).send().assertSuccess();

        b.adopt("vm-moving", a.evict("vm-moving")); // vMotion from disc-a (in scope) to disc-b (not)
        assertOutOfScope(delete(Flavour.API, "vm-moving", 7).body(LAB).token(token).send(), "svc-disc-a", "vm-moving");
        assertThat(a.calls("vm-moving")).as("the cached owner was asked and said: not here").isEqualTo(2);
        assertThat(b.calls("vm-moving")).as("the new owner is outside the caller's scope").isZero();
    }

    private static void assertOutOfScope(VapiAnswer answer, String subject, String vm) {
        answer.assertError(403, ErrorType.UNAUTHORIZED);
        String message = "{\"id\":\"com.guestops.gateway.auth.out_of_scope\",\"default_message\":\"Caller " + subject
                + " may not terminate processes in virtual machine " + vm + ".\",\"args\":[\"" + subject + "\",\"" + vm + "\"]}";
        assertThat(answer.body()).isEqualTo(CallerAuthenticationTest.body(answer.flavour(), "unauthorized", message, null));
    }
}
