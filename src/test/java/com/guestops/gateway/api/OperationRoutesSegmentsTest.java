package com.guestops.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@link OperationRoutes#segments} splits the path where Vert.x's path-parameter route
 * {@code /api/vcenter/vm/:vm/guest/processes/:pid} matched before it: the regex below is the one Vert.x 4.5 builds
 * for that route ({@code RouteImpl.createPatternRegex}: each {@code :name} a {@code [^/]+} group, an optional trailing
 * slash), matched against the whole normalized path. Both must agree on every path, matched or not, and on the
 * segments.
 */
class OperationRoutesSegmentsTest {

    private static final Pattern VERTX_ROUTE = Pattern.compile("/(api|rest)/vcenter/vm/(?<p0>[^/]+)/guest/processes/(?<p1>[^/]+)/?");

    /** Pieces paths are made of: the operation's own, their near misses, slashes, escapes, the empty string. */
    private static final String[] PIECES = {"", "/", "//", "vm-1", "1000", "guest", "processes", "/guest", "/processes",
        "/guest/processes", "/guest/processes/", "guest/processes/", "vm", "/vm/", "%2F", "%2f", "%41", "+", " ", "é",
        "\n", "vcenter", "/vcenter/vm/", "-", ".", "..", "?", "*", ":pid"};

    @Test
    void splitsEveryPathExactlyWhereTheVertxRouteMatched() {
        List<String> paths = new ArrayList<>(List.of(
                "/api/vcenter/vm/vm-1/guest/processes/1000",
                "/api/vcenter/vm/vm-1/guest/processes/1000/",
                "/api/vcenter/vm/vm-1/guest/processes/1000//",
                "/api/vcenter/vm/vm-1/guest/processes/",
                "/api/vcenter/vm/vm-1/guest/processes//",
                "/api/vcenter/vm//guest/processes/1000",
                "/api/vcenter/vm/",
                "/api/vcenter/vm",
                "/api/vcenter/vm/vm-1/guest/processes/1000/x",
                "/api/vcenter/vm/a/b/guest/processes/1000",
                "/api/vcenter/vm/vm-1/guest/processes/guest/processes/1",
                "/api/vcenter/vm/vm-1/guest/processesX/1000",
                "/rest/vcenter/vm/vm%2F1/guest/processes/1%2B0"));
        for (String prefix : new String[] {"/api/vcenter/vm/", "/rest/vcenter/vm/"}) {
            // every path of up to three pieces after the prefix, and then random longer ones
            for (String a : PIECES) {
                for (String b : PIECES) {
                    for (String c : PIECES) {
                        paths.add(prefix + a + b + c);
                    }
                }
            }
            Random random = new Random(7);
            for (int i = 0; i < 100_000; i++) {
                StringBuilder path = new StringBuilder(prefix);
                for (int n = random.nextInt(8); n > 0; n--) {
                    path.append(PIECES[random.nextInt(PIECES.length)]);
                }
                paths.add(path.toString());
            }
        }
        int matched = 0;
        for (String path : paths) {
            int vmStart = path.startsWith("/api/") ? "/api/vcenter/vm/".length() : "/rest/vcenter/vm/".length();
            Matcher vertx = VERTX_ROUTE.matcher(path);
            String[] ours = OperationRoutes.segments(path, vmStart);
            if (vertx.matches()) {
                matched++;
                assertThat(ours).as(path).containsExactly(vertx.group("p0"), vertx.group("p1"));
            } else {
                assertThat(ours).as(path).isNull();
            }
        }
        assertThat(matched).as("paths the route matched, of %s", paths.size()).isGreaterThan(1_000);
    }
}
