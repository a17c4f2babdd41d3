package com.guestops.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ScopeRuleTest {

    @Test
    void globs() {
        assertThat(ScopeRule.globMatches("vm-1", "vm-1")).isTrue();
        assertThat(ScopeRule.globMatches("vm-1", "vm-10")).isFalse();
        assertThat(ScopeRule.globMatches("vm-1*", "vm-10")).isTrue();
        assertThat(ScopeRule.globMatches("vm-1*", "vm-1")).isTrue();
        assertThat(ScopeRule.globMatches("vm-?", "vm-7")).isTrue();
        assertThat(ScopeRule.globMatches("vm-?", "vm-77")).isFalse();
        assertThat(ScopeRule.globMatches("*:b3ab*", "vm-538:b3ab00")).isTrue();
        assertThat(ScopeRule.globMatches("*", "anything")).isTrue();
        assertThat(ScopeRule.globMatches("vm-.", "vm-1")).as("dot is literal").isFalse();
        assertThat(ScopeRule.globMatches("a*b*c", "aXXbYYc")).isTrue();
        assertThat(ScopeRule.globMatches("a*b*c", "aXXbYY")).isFalse();
    }

    @Test
    void callerMatching() {
        ScopeRule bySubject = new ScopeRule(0, Set.of("svc-a"), Set.of(), List.of(), Set.of());
        ScopeRule byGroup = new ScopeRule(1, Set.of(), Set.of("sre"), List.of(), Set.of());
        ScopeRule everyone = new ScopeRule(2, Set.of(), Set.of(), List.of("vm-1"), Set.of());
        CallerIdentity a = CallerIdentity.authenticated("svc-a", Set.of("guestops.terminate"));
        CallerIdentity sre = CallerIdentity.authenticated("bob", Set.of("sre", "guestops.terminate"));
        assertThat(bySubject.appliesTo(a)).isTrue();
        assertThat(bySubject.appliesTo(sre)).isFalse();
        assertThat(byGroup.appliesTo(sre)).isTrue();
        assertThat(byGroup.appliesTo(a)).isFalse();
        assertThat(everyone.appliesTo(a)).isTrue();
        assertThat(everyone.allowsVm("vm-1")).isTrue();
        assertThat(everyone.allowsVm("vm-2")).isFalse();
        assertThat(everyone.allowsHost("any")).isTrue();
    }

    @Test
    void scopeFailsClosedForUnauthenticatedCallersWhenRulesAreInForce() {
        CallerScope scope = new CallerScope(new AuthSettings(AuthMode.ENFORCED, "r",
                List.of(new ScopeRule(0, Set.of(), Set.of(), List.of(), Set.of())), false));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> scope.checkVm(CallerIdentity.ANONYMOUS, "vm-1"))
                .isInstanceOf(com.guestops.gateway.error.VapiException.class)
                .hasMessageContaining("out_of_scope");
        CallerScope relaxed = new CallerScope(new AuthSettings(AuthMode.RELAXED_DEMO, "r", List.of(), false));
        relaxed.checkVm(CallerIdentity.ANONYMOUS, "vm-1");
        relaxed.checkHost(CallerIdentity.ANONYMOUS, "vm-1", "demo");
    }
}
