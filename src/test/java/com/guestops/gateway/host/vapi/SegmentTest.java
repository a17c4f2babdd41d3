package com.guestops.gateway.host.vapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A VM id as one path segment: what URLEncoder makes of it (spaces as %20), also where the usual ids skip it. */
class SegmentTest {

    private static String encoded(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Test
    void everyCharacterAloneAndBesideAUsualId() {
        for (char c = 0; c < 0xFFFF; c++) {
            String alone = String.valueOf(c);
            assertThat(VapiHostClient.segment(alone)).as("U+%04X", (int) c).isEqualTo(encoded(alone));
            String inId = "vm-" + c + "42";
            assertThat(VapiHostClient.segment(inId)).as("U+%04X in an id", (int) c).isEqualTo(encoded(inId));
        }
    }

    @Test
    void usualIdsAsTheyAreAndTheRestEncoded() {
        for (String id : List.of("vm-42", "vm-vc-1", "VirtualMachine_7.x*", "")) {
            assertThat(VapiHostClient.segment(id)).isEqualTo(id);
        }
        assertThat(VapiHostClient.segment("vm 1/../x?y#z%")).isEqualTo("vm%201%2F..%2Fx%3Fy%23z%25");
        assertThat(VapiHostClient.segment("vm:1~é")).isEqualTo("vm%3A1%7E%C3%A9");
    }
}
