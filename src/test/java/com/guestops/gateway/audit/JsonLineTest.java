package com.guestops.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The audit line is read back by log pipelines with one JSON parse: every value must come back exactly as given. */
class JsonLineTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void valuesNeedingEscapesAnywhereComeBackUnchanged() throws Exception {
        List<String> values = List.of("", "plain-id.1:2", "\"", "\\", "quote\" in the middle", "ends with a backslash\\",
                "\"starts with a quote", "line\nbreak\r\ttab", "bell\u0007 and nul\u0000", "\u001f\u0020\u007f",
                "ünïcödé 🙂 \u2028 stays", "vm\"\n,\"outcome\":\"success\u0007");
        for (String value : values) {
            JsonNode parsed = JSON.readTree(new JsonLine().field("v", value).field("after", "x").end());
            assertThat(parsed.path("v").asText()).as("%s", value).isEqualTo(value);
            assertThat(parsed.path("after").asText()).isEqualTo("x");
            assertThat(parsed.size()).isEqualTo(2); // nothing injected
        }
    }

    @Test
    void randomStringsComeBackUnchanged() throws Exception {
        Random random = new Random(16);
        for (int n = 0; n < 2_000; n++) {
            StringBuilder value = new StringBuilder();
            for (int i = random.nextInt(40); i > 0; i--) {
                value.append((char) (random.nextBoolean() ? random.nextInt(0x80) : random.nextInt(0x3000)));
            }
            String line = new JsonLine().field("v", value.toString()).field("list", List.of(value.toString(), "b"))
                    .field("n", 7L).field("absent", (Long) null).end();
            JsonNode parsed = JSON.readTree(line);
            assertThat(parsed.path("v").asText()).isEqualTo(value.toString());
            assertThat(parsed.path("list").get(0).asText()).isEqualTo(value.toString());
            assertThat(parsed.path("n").asLong()).isEqualTo(7);
            assertThat(parsed.path("absent").isNull()).isTrue();
            assertThat(line).doesNotContain("\n", "\r"); // one line
        }
    }

    /** Each thread's builder is reused line after line: nothing of one line may show in another. */
    @Test
    void linesSharingTheThreadsBuilderStayApart() throws Exception {
        JsonLine outer = new JsonLine().field("line", "outer").field("n", 1L);
        String inner = new JsonLine().field("line", "inner").end(); // begun while outer still holds the builder
        String outerLine = outer.field("after", "inner ended").end();
        assertThat(JSON.readTree(inner).path("line").asText()).isEqualTo("inner");
        assertThat(JSON.readTree(inner).size()).isEqualTo(1);
        assertThat(JSON.readTree(outerLine).path("after").asText()).isEqualTo("inner ended");
        assertThat(JSON.readTree(outerLine).size()).isEqualTo(3);

        String longValue = "x".repeat(JsonLine.MAX_KEPT_CAPACITY * 2);
        assertThat(JSON.readTree(new JsonLine().field("long", longValue).end()).path("long").asText()).isEqualTo(longValue);
        for (int n = 0; n < 3; n++) {
            String line = new JsonLine().field("short", "s" + n).end();
            assertThat(line).isEqualTo("{\"short\":\"s" + n + "\"}");
        }
    }
}
