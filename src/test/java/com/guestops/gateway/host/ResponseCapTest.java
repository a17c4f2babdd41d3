package com.guestops.gateway.host;

import static com.guestops.gateway.support.VapiCall.delete;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.guestops.gateway.api.Flavour;
import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.support.LogCapture;
import com.guestops.gateway.support.VapiAnswer;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Host answers are read with a cap and every attempt is bounded by one timeout that frees its
 * connection (issue 12, items 4 and 10), observed from the host's side of the socket
 * ({@link com.guestops.gateway.support.RawHost}, played for host {@code vc-raw}, attempt timeout 2 s).
 */
@QuarkusTest
class ResponseCapTest {

    private final HttpClient http = HttpClient.newHttpClient();

    private JsonNode stats() throws Exception {
        return new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(raw("/stats")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    private static URI raw(String path) {
        return URI.create("http://127.0.0.1:" + ConfigProvider.getConfig().getValue("test.host-mocks.raw-port", Integer.class) + path);
    }

    @BeforeEach
    void resetStats() throws Exception {
        http.send(HttpRequest.newBuilder(raw("/stats/reset")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.discarding());
    }

    /** Item 4: past max-response-size (1 MiB) the connection is closed at once and the call is a bad response. */
    @Test
    void anEndlessAnswerIsCutAtTheCapAndTheConnectionClosed() throws Exception {
        VapiAnswer answer = delete(Flavour.API, "vm-raw-endless", 1000).send().assertError(500, ErrorType.ERROR);

        assertThat(answer.messageIds()).containsExactly("com.guestops.gateway.host.bad_response");
        await().atMost(Duration.ofSeconds(5)).until(() -> stats().path("endless_closed_after_ms").asLong() >= 0);
        // timed by the host, from its first byte: not the attempt timeout (2 s) closed it, the cap did (the test's own
        // clock would also count a cold first request of this test JVM, which made it fail when run alone)
        assertThat(stats().path("endless_closed_after_ms").asLong()).isLessThan(2000);
        // what the host managed to write: the cap plus what the sockets' buffers held, not a byte more
        assertThat(stats().path("endless_bytes").asLong()).isLessThan(16L * 1024 * 1024);
    }

    /** Item 10: the attempt timeout is the one that frees the connection, and nothing is logged as dropped. */
    @Test
    void aSilentHostsConnectionIsClosedAtTheAttemptTimeoutAndTheLogStaysClean() throws Exception {
        try (LogCapture log = LogCapture.start()) {
            VapiAnswer answer = delete(Flavour.API, "vm-raw-hang", 1000).send().assertError(503, ErrorType.SERVICE_UNAVAILABLE);

            assertThat(answer.messageIds()).containsExactly("com.guestops.gateway.host.timeout");
            await().atMost(Duration.ofSeconds(5)).until(() -> stats().path("hang_closed_after_ms").asLong() >= 0);
            assertThat(stats().path("hang_closed_after_ms").asLong()).isBetween(1500L, 3500L);
            // wait past any other timer that could still fire for this attempt
            await().pollDelay(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).until(() -> true);
            assertThat(log.lines()).noneSatisfy(l -> assertThat(l).contains("Mutiny had to drop"));
            assertThat(log.lines()).noneSatisfy(l -> assertThat(l).contains(" ERROR "));
        }
    }
}
