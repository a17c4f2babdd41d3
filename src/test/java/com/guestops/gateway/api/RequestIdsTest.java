package com.guestops.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The ids the gateway makes for requests that bring none (the HTTP behaviour: AuditAndRequestIdTest). */
class RequestIdsTest {

    @Test
    void madeIdsAreRandomUuidsAndDoNotRepeat() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            String id = RequestIds.newId();
            UUID uuid = UUID.fromString(id);
            assertThat(uuid.version()).isEqualTo(4);
            assertThat(uuid.variant()).isEqualTo(2); // RFC 4122 / 9562
            assertThat(uuid.toString()).isEqualTo(id);
            seen.add(id);
        }
        assertThat(seen).hasSize(100_000);
    }

    @Test
    void aSaneCallerIdIsKeptAndAnythingElseReplaced() {
        assertThat(RequestIds.sane("req-42:a.b_c")).isEqualTo("req-42:a.b_c");
        for (String bad : new String[] {null, "", "a b", "x\r\nSet-Cookie: y", "z".repeat(129)}) {
            assertThat(UUID.fromString(RequestIds.sane(bad)).version()).isEqualTo(4);
        }
    }
}
