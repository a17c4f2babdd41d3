package com.guestops.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The startup decision, for configurations the shared test boot cannot have (one JVM, one boot): read
 * with the production profile active, exactly as a deployed gateway reads its configuration.
 */
class AuthStartupCheckTest {

    private static final Set<String> HOSTS = Set.of("esx-01", "vc-01");

    @Test
    void productionRefusesToStartWithoutAVerificationKey() {
        SmallRyeConfig config = prod(Map.of("mp.jwt.verify.issuer", "https://kubernetes.default.svc"));
        assertThatThrownBy(() -> evaluate(config, false))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("gateway.auth.enabled=true")
                .hasMessageContaining("no token verification key is configured")
                .hasMessageContaining("mp.jwt.verify.publickey.location");
    }

    @Test
    void noneCountsAsNoKey() {
        // "NONE" is smallrye-jwt's own unset value (and what %dev sets to stop Quarkus generating keys)
        SmallRyeConfig config = prod(Map.of("mp.jwt.verify.publickey", "NONE", "mp.jwt.verify.publickey.location", " "));
        assertThatThrownBy(() -> evaluate(config, false)).hasMessageContaining("no token verification key");
    }

    @Test
    void aDevProfileKeyDoesNotCountInProduction() {
        SmallRyeConfig config = prod(Map.of("%dev.mp.jwt.verify.publickey.location", "dev-public.pem",
                "%test.mp.jwt.verify.publickey.location", "test-public.pem"));
        assertThatThrownBy(() -> evaluate(config, false)).hasMessageContaining("no token verification key");
    }

    @Test
    void zeroSetUpDemoIsRelaxed() {
        AuthSettings settings = evaluate(prod(Map.of()), true);
        assertThat(settings.mode()).isEqualTo(AuthMode.RELAXED_DEMO);
        assertThat(settings.enforced()).isFalse();
    }

    @Test
    void demoWithAKeyIsEnforced() {
        AuthSettings settings = evaluate(prod(Map.of("mp.jwt.verify.publickey.location", "file:/keys/public.pem")), true);
        assertThat(settings.mode()).isEqualTo(AuthMode.ENFORCED);
    }

    @Test
    void explicitlyDisabledStartsWithoutAKey() {
        AuthSettings settings = evaluate(prod(Map.of("gateway.auth.enabled", "false")), false);
        assertThat(settings.mode()).isEqualTo(AuthMode.DISABLED);
    }

    @Test
    void keyConfiguredIsEnforcedWithTheDefaultRole() {
        AuthSettings settings = evaluate(prod(Map.of(
                "mp.jwt.verify.publickey.location", "/deployments/keys/issuer.pem",
                "mp.jwt.verify.issuer", "https://kubernetes.default.svc",
                "mp.jwt.verify.audiences", "guestops-gateway")), false);
        assertThat(settings.mode()).isEqualTo(AuthMode.ENFORCED);
        assertThat(settings.requiredRole()).isEqualTo("guestops.terminate");
        assertThat(settings.rules()).isEmpty();
        assertThat(settings.blockingVerification()).as("a local key is verified on the event loop").isFalse();
    }

    @Test
    void tokenAgeIsUnlimitedUnlessConfiguredAndTheSkewIsMpJwts() {
        Map<String, String> key = Map.of("mp.jwt.verify.publickey.location", "/deployments/keys/issuer.pem");
        AuthSettings defaults = evaluate(prod(key), false);
        assertThat(defaults.maxTokenAge()).isEmpty();
        assertThat(defaults.clockSkew()).hasSeconds(60);
        assertThat(defaults.groupsPath()).isEqualTo("groups");
        Map<String, String> configured = new HashMap<>(key);
        configured.put("gateway.auth.max-token-age", "PT12H"); // plain SmallRye here: ISO-8601 (Quarkus also takes 12h)
        configured.put("mp.jwt.verify.clock.skew", "30");
        configured.put("smallrye.jwt.path.groups", "realm_access/roles");
        AuthSettings settings = evaluate(prod(configured), false);
        assertThat(settings.maxTokenAge()).hasValue(java.time.Duration.ofHours(12));
        assertThat(settings.clockSkew()).hasSeconds(30);
        assertThat(settings.groupsPath()).isEqualTo("realm_access/roles");
        configured.put("gateway.auth.max-token-age", "PT0S");
        assertThatThrownBy(() -> evaluate(prod(configured), false)).hasMessageContaining("gateway.auth.max-token-age must be positive");
    }

    @Test
    void inlinePublicKeyOrSecretKeyCount() {
        assertThat(evaluate(prod(Map.of("mp.jwt.verify.publickey", "MIIBIjAN...")), false).enforced()).isTrue();
        assertThat(evaluate(prod(Map.of("smallrye.jwt.verify.key.location", "keys.jwks")), false).enforced()).isTrue();
    }

    @Test
    void jwksUrlIsVerifiedOffTheEventLoop() {
        AuthSettings settings = evaluate(prod(Map.of("mp.jwt.verify.publickey.location",
                "https://kubernetes.default.svc/openid/v1/jwks")), false);
        assertThat(settings.blockingVerification()).isTrue();
        AuthSettings overridden = evaluate(prod(Map.of("mp.jwt.verify.publickey.location",
                "https://kubernetes.default.svc/openid/v1/jwks",
                "quarkus.smallrye-jwt.blocking-authentication", "false")), false);
        assertThat(overridden.blockingVerification()).isFalse();
    }

    @Test
    void rulesAreReadInOrder() {
        Map<String, String> props = new HashMap<>(Map.of("mp.jwt.verify.publickey.location", "k.pem",
                "gateway.auth.required-role", "ops.kill",
                "gateway.auth.rules[0].subjects", "system:serviceaccount:ops:reaper",
                "gateway.auth.rules[0].vms", "vm-1*,vm-42",
                "gateway.auth.rules[1].groups", "sre",
                "gateway.auth.rules[1].hosts", "esx-01"));
        AuthSettings settings = evaluate(prod(props), false);
        assertThat(settings.requiredRole()).isEqualTo("ops.kill");
        assertThat(settings.rules()).hasSize(2);
        ScopeRule first = settings.rules().get(0);
        assertThat(first.subjects()).containsExactly("system:serviceaccount:ops:reaper");
        assertThat(first.vmPatterns()).containsExactly("vm-1*", "vm-42");
        assertThat(first.hosts()).isEmpty();
        ScopeRule second = settings.rules().get(1);
        assertThat(second.groups()).containsExactly("sre");
        assertThat(second.hosts()).containsExactly("esx-01");
    }

    @Test
    void ruleNamingAnUnknownHostRefusesToStart() {
        SmallRyeConfig config = prod(Map.of("mp.jwt.verify.publickey.location", "k.pem",
                "gateway.auth.rules[0].groups", "sre",
                "gateway.auth.rules[0].hosts", "esx-99",
                "gateway.auth.rules[1].vms", "vm/1"));
        assertThatThrownBy(() -> evaluate(config, false))
                .hasMessageContaining("gateway.auth.rules[0].hosts names host 'esx-99'")
                .hasMessageContaining("configured: esx-01, vc-01")
                .hasMessageContaining("gateway.auth.rules[1].vms: 'vm/1' is not a VM id pattern");
    }

    @Test
    void rulesAreIgnoredWhenCallersAreNotChecked() {
        SmallRyeConfig config = prod(Map.of("gateway.auth.enabled", "false", "gateway.auth.rules[0].hosts", "nowhere"));
        assertThat(evaluate(config, false).rules()).isEmpty();
    }

    private static AuthSettings evaluate(SmallRyeConfig config, boolean demoOnly) {
        return AuthStartupCheck.evaluate(config.getConfigMapping(AuthConfig.class), config, demoOnly,
                demoOnly ? Set.of("demo") : HOSTS);
    }

    private static SmallRyeConfig prod(Map<String, String> properties) {
        return new SmallRyeConfigBuilder()
                .withProfile("prod")
                .withMapping(AuthConfig.class)
                .withSources(new PropertiesConfigSource(properties, "test-properties", 100))
                .build();
    }

}
