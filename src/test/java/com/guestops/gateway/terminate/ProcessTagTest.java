package com.guestops.gateway.terminate;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The ETag of a process: made of vm, pid and start time only, and readable back to the start time. No Quarkus boot. */
class ProcessTagTest {

    private static final Instant STARTED = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void theSameProcessAlwaysHasTheSameTag() {
        assertThat(ProcessTag.of("vm-1", 1000, STARTED)).isEqualTo(ProcessTag.of("vm-1", 1000, STARTED))
                .matches("\"[0-9a-z]+-[0-9a-f]{16}\"");
    }

    @Test
    void anotherVmPidOrStartIsAnotherTag() {
        String tag = ProcessTag.of("vm-1", 1000, STARTED);
        assertThat(ProcessTag.of("vm-2", 1000, STARTED)).isNotEqualTo(tag);
        assertThat(ProcessTag.of("vm-1", 1001, STARTED)).isNotEqualTo(tag);
        assertThat(ProcessTag.of("vm-1", 1000, STARTED.plusMillis(1))).isNotEqualTo(tag);
        // sub-millisecond starts (a host may send them) still make different tags
        assertThat(ProcessTag.of("vm-1", 1000, STARTED.plusNanos(1_000))).isNotEqualTo(tag);
        // no separator ambiguity: "vm-1" + pid 10 is not "vm-11" + pid 0
        assertThat(ProcessTag.of("vm-1", 10, STARTED)).isNotEqualTo(ProcessTag.of("vm-11", 0, STARTED));
    }

    @Test
    void theStartTimeCanBeReadBackToSayWhatChanged() {
        Instant started = Instant.parse("2026-03-04T05:06:07.089Z");
        assertThat(ProcessTag.startOf(ProcessTag.of("vm-1", 1000, started))).hasValue(started);
        assertThat(ProcessTag.startOf("\"not-ours\"")).isEmpty();
        assertThat(ProcessTag.startOf("W/" + ProcessTag.of("vm-1", 1000, started))).isEmpty();
        assertThat(ProcessTag.startOf("\"zzzzzzzzzzzzzz-0000000000000000\"")).isEmpty(); // out of Instant's range
    }
}
