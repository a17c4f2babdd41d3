package com.guestops.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The audit line's timestamp is exactly what {@code Instant.toString} writes, whatever the instant. */
class IsoInstantTest {

    @Test
    void writesWhatInstantToStringWrites() {
        Random random = new Random(16);
        int[] nanos = {0, 1, 9, 10, 999, 1_000, 1_001, 10_000, 999_999, 1_000_000, 1_000_001, 1_001_000, 10_000_000,
                100_000_000, 120_000_000, 123_456_789, 999_000_000, 999_999_000, 999_999_999};
        long[] seconds = {0, 1, 59, 60, 86_399, 86_400, 951_782_400 /* 2000-02-29 */, 1_796_299_324L,
                253_402_300_799L /* 9999-12-31T23:59:59 */, -1, -86_401};
        for (long second : seconds) {
            for (int nano : nanos) {
                Instant instant = Instant.ofEpochSecond(second, nano);
                assertThat(IsoInstant.format(instant)).isEqualTo(instant.toString());
            }
        }
        for (int n = 0; n < 100_000; n++) {
            // runs of calls within one second (the cached date and time) and jumps between seconds
            long second = 1_796_299_324L + (n % 7 == 0 ? random.nextInt(400_000_000) : n / 1_000);
            int nano = switch (n % 3) {
                case 0 -> random.nextInt(1_000) * 1_000_000;
                case 1 -> random.nextInt(1_000_000) * 1_000;
                default -> random.nextInt(1_000_000_000);
            };
            Instant instant = Instant.ofEpochSecond(second, nano);
            assertThat(IsoInstant.format(instant)).isEqualTo(instant.toString());
        }
    }
}
