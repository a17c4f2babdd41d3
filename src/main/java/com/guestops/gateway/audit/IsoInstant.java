package com.guestops.gateway.audit;

import java.time.Instant;

/**
 * {@link Instant#toString()} (ISO-8601 in UTC, the fraction in groups of three digits as needed), written for every
 * audit line without {@code DateTimeFormatter}, which cost as much as the rest of the line's fields together. The
 * date and time of day change once a second: they are formatted by {@code Instant.toString} once per second and
 * kept; only the fraction is written per call.
 */
final class IsoInstant {

    /** The last second formatted: its epoch second and its text up to the fraction ({@code 2026-12-03T11:42:04}). */
    private record Second(long epochSecond, String text) {
    }

    private static volatile Second last = new Second(Long.MIN_VALUE, "");

    private IsoInstant() {
    }

    static String format(Instant instant) {
        long epochSecond = instant.getEpochSecond();
        Second second = last;
        if (second.epochSecond() != epochSecond) {
            String whole = Instant.ofEpochSecond(epochSecond).toString(); // ...T11:42:04Z
            second = new Second(epochSecond, whole.substring(0, whole.length() - 1));
            last = second;
        }
        int nano = instant.getNano();
        StringBuilder text = new StringBuilder(second.text().length() + 11).append(second.text());
        if (nano != 0) {
            text.append('.');
            if (nano % 1_000_000 == 0) {
                digits(text, nano / 1_000_000, 3);
            } else if (nano % 1_000 == 0) {
                digits(text, nano / 1_000, 6);
            } else {
                digits(text, nano, 9);
            }
        }
        return text.append('Z').toString();
    }

    /** The value in exactly {@code count} decimal digits, zeros first. */
    private static void digits(StringBuilder text, int value, int count) {
        int at = text.length();
        text.setLength(at + count);
        for (int i = at + count - 1; i >= at; i--) {
            text.setCharAt(i, (char) ('0' + value % 10));
            value /= 10;
        }
    }
}
