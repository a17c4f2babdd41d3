package com.guestops.gateway.support;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.util.Comparator;
import java.util.List;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Test access to the WireMock server of {@link HostMocks} through its admin API: stubs, reset and the
 * request journal (what the gateway really sent, in order).
 */
public final class HostMockServer {

    private static WireMock client;

    private HostMockServer() {
    }

    public static synchronized WireMock wireMock() {
        if (client == null) {
            int port = ConfigProvider.getConfig().getValue(HostMocks.HTTP_PORT, Integer.class);
            client = new WireMock("127.0.0.1", port);
        }
        return client;
    }

    /** Forgets stubs, scenarios and the journal. */
    public static void reset() {
        wireMock().resetMappings();
        wireMock().resetRequests();
        wireMock().resetScenarios();
        discoverableVcenter(wireMock());
    }

    /**
     * The discoverable vCenter {@code vc-disc} (path {@code /vcd}) owns nothing unless a test says
     * otherwise: it logs in, answers every VM lookup with a vAPI NOT_FOUND, and every terminate with 204.
     * Every discovery fan-out of the suite asks it, so it must always answer.
     */
    public static void discoverableVcenter(WireMock server) {
        server.register(com.github.tomakehurst.wiremock.client.WireMock.post(urlPathEqualTo("/vcd/api/session")).atPriority(10)
                .willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(201)
                        .withHeader("Content-Type", "application/json").withBody("\"vcd-session\"")));
        server.register(com.github.tomakehurst.wiremock.client.WireMock.get(urlPathEqualTo("/vcd/api/session")).atPriority(10)
                .willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(200)
                        .withHeader("Content-Type", "application/json").withBody("{}")));
        server.register(com.github.tomakehurst.wiremock.client.WireMock.get(com.github.tomakehurst.wiremock.client.WireMock
                .urlPathMatching("/vcd/api/vcenter/vm/[^/]+")).atPriority(10)
                .willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(404)
                        .withHeader("Content-Type", "application/json").withBody(
                                "{\"error_type\":\"NOT_FOUND\",\"messages\":[{\"id\":\"com.vmware.api.vcenter.vm.not_found\","
                                        + "\"default_message\":\"Virtual machine not found.\",\"args\":[]}]}")));
        server.register(com.github.tomakehurst.wiremock.client.WireMock.post(com.github.tomakehurst.wiremock.client.WireMock
                .urlPathMatching("/vcd/api/vcenter/vm/.*")).atPriority(10)
                .willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(204)));
    }

    public static void stub(MappingBuilder mapping) {
        wireMock().register(mapping);
    }

    /** Requests received on {@code path}, oldest first. */
    public static List<LoggedRequest> requests(String path) {
        return requests(anyRequestedFor(urlPathEqualTo(path)));
    }

    public static List<LoggedRequest> requests(RequestPatternBuilder pattern) {
        return wireMock().find(pattern).stream()
                .sorted(Comparator.comparing(LoggedRequest::getLoggedDate))
                .toList();
    }
}
