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
