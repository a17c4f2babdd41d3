package com.guestops.gateway.host.vim25;

import static com.guestops.gateway.support.VapiCall.delete;
import static org.assertj.core.api.Assertions.assertThat;

import com.guestops.gateway.api.Flavour;
import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.host.GuestCredentials;
import com.guestops.gateway.host.HostClient;
import com.guestops.gateway.host.HostFailure;
import com.guestops.gateway.host.Secret;
import com.guestops.gateway.support.HostMockServer;
import com.guestops.gateway.support.LogCapture;
import com.guestops.gateway.support.RealHosts;
import com.guestops.gateway.support.VapiAnswer;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * TLS trust and transport failures of real hosts: a self-signed https host is refused unless a TLS
 * registry entry trusts its certificate; a refused connection and a silent host surface as the raw
 * transport failures the resilience layer recognises, and reach the caller as 503.
 */
@QuarkusTest
class TransportTest {

    private static final GuestCredentials ROOT = new GuestCredentials.UsernamePassword("root", Secret.of("vmware"), false);
    private final Vim25Mock tlsHost = new Vim25Mock("/tls/sdk");

    @Inject
    RealHosts hosts;

    @BeforeEach
    void freshHosts() {
        hosts.reset();
        tlsHost.sessionSetUp().terminateAnswers(Vim25Mock.terminateSuccess());
    }

    private HostClient host(String name) {
        return hosts.client(name);
    }

    /** One attempt of a kill, straight on the client (no guard): what it fails with. */
    private Object attemptOn(String host, String vm) {
        return host(host).terminate(vm, 1000, ROOT).attempt(Duration.ofSeconds(1))
                .onItem().transform(Object.class::cast)
                .onFailure().recoverWithItem(f -> f).await().atMost(Duration.ofSeconds(20));
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aSelfSignedHostIsTrustedThroughItsTlsConfiguration(Flavour flavour) {
        delete(flavour, "vm-tls-trusted", 1000).send().assertSuccess();

        assertThat(tlsHost.all()).hasSize(4).allSatisfy(r -> assertThat(r.getAbsoluteUrl()).startsWith("https://"));
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aSelfSignedHostIsRefusedWithoutTrustConfiguration(Flavour flavour) {
        try (LogCapture log = LogCapture.start()) {
            VapiAnswer answer = delete(flavour, "vm-tls-untrusted", 1000).send()
                    .assertError(503, ErrorType.SERVICE_UNAVAILABLE);

            assertThat(answer.messageIds()).containsExactly("com.guestops.gateway.host.unreachable");
            assertThat(tlsHost.all()).as("nothing was sent over the untrusted connection").isEmpty();
            // the operator learns why
            assertThat(log.lines()).anySatisfy(l -> assertThat(l).contains("WARN").contains("esx-tls-untrusted")
                    .contains("TLS handshake failed"));
        }
    }

    @Test
    void untrustedCertificateFailsTheHandshake() {
        Object failure = attemptOn("esx-tls-untrusted", "vm-tls-untrusted");

        assertThat(failure).isInstanceOfSatisfying(HostFailure.class, f -> {
            assertThat(f.kind()).isEqualTo(HostFailure.Kind.UNREACHABLE);
            assertThat(f.operationSent()).isFalse();
            assertThat(f.getCause()).isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
        });
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aRefusedConnectionIsServiceUnavailable(Flavour flavour) {
        VapiAnswer answer = delete(flavour, "vm-down", 1000).send().assertError(503, ErrorType.SERVICE_UNAVAILABLE);

        assertThat(answer.messageIds()).containsExactly("com.guestops.gateway.host.unreachable");
    }

    @Test
    void aRefusedConnectionSurfacesAsRefusedNothingSent() {
        Object failure = attemptOn("esx-down", "vm-down");

        // the retry layer retries exactly this: nothing was sent
        assertThat(failure).isInstanceOfSatisfying(HostFailure.class, f -> {
            assertThat(f.kind()).isEqualTo(HostFailure.Kind.REFUSED);
            assertThat(f.operationSent()).isFalse();
        });
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aHostSilentBeyondTheRequestTimeoutIsServiceUnavailable(Flavour flavour) {
        new Vim25Mock("/slow/sdk").sessionSetUp().terminateAnswers(Vim25Mock.terminateSuccess());
        HostMockServer.stub(new Vim25Mock("/slow/sdk").call(Vim25Mock.SERVICE_CONTENT)
                .willReturn(Vim25Mock.xml(200, Vim25Mock.fixture("RetrieveServiceContent.response.xml")).withFixedDelay(8000)));

        long start = System.nanoTime();
        VapiAnswer answer = delete(flavour, "vm-esx-slow", 1000).send().assertError(503, ErrorType.SERVICE_UNAVAILABLE);

        assertThat(answer.messageIds()).containsExactly("com.guestops.gateway.host.timeout");
        // esx-slow has resilience.attempt-timeout=1s: the answer came from the timeout, long before the host's 8 s
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(6));
    }

    @Test
    void aHostSilentWhileTheSessionIsSetUpIsATimeoutWithNothingSent() {
        HostMockServer.stub(new Vim25Mock("/slow/sdk").call(Vim25Mock.SERVICE_CONTENT)
                .willReturn(Vim25Mock.xml(200, Vim25Mock.fixture("RetrieveServiceContent.response.xml")).withFixedDelay(8000)));

        Object failure = attemptOn("esx-slow", "vm-esx-slow");

        // the set-up ran out of time: the kill itself never went out
        assertThat(failure).isInstanceOfSatisfying(HostFailure.class, f -> {
            assertThat(f.kind()).isEqualTo(HostFailure.Kind.TIMEOUT);
            assertThat(f.operationSent()).isFalse();
        });
    }

    @Test
    void aHostSilentAfterTheKillWasSentIsATimeoutThatMayHaveHappened() {
        Vim25Mock slow = new Vim25Mock("/slow/sdk");
        slow.sessionSetUp();
        HostMockServer.stub(slow.call(Vim25Mock.TERMINATE).willReturn(Vim25Mock.terminateSuccess().withFixedDelay(8000)));

        Object failure = attemptOn("esx-slow", "vm-esx-slow");

        assertThat(failure).isInstanceOfSatisfying(HostFailure.class, f -> {
            assertThat(f.kind()).isEqualTo(HostFailure.Kind.TIMEOUT);
            assertThat(f.operationSent()).isTrue();
        });
    }
}
