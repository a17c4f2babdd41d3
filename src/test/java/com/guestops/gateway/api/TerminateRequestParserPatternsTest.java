package com.guestops.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The path's checks without the regex engine ({@link TerminateRequestParser#isVmId}, {@link
 * TerminateRequestParser#isCanonicalPid}) answer exactly as the patterns that are the rules ({@code VM_ID}, published
 * in the OpenAPI document, and {@code CANONICAL_PID}).
 */
class TerminateRequestParserPatternsTest {

    /** Every class of character the rules name, their neighbours in ASCII, and what lies outside ASCII. */
    private static final String ALPHABET = "aAzZ09._:-/+ @[`{\u0000\u007f\u00e9\u0130\u212a\uff10";

    @Test
    void agreeWithThePatternsOnEveryShortString() {
        char[] chars = ALPHABET.toCharArray();
        int vms = 0;
        int pids = 0;
        for (char a : chars) {
            for (char b : chars) {
                for (char c : chars) {
                    for (String s : new String[] {"" + a + b + c, "" + a + b, "" + a, ""}) {
                        vms += check(s)[0];
                        pids += check(s)[1];
                    }
                }
            }
        }
        assertThat(vms).as("VM ids accepted").isGreaterThan(1_000);
        assertThat(pids).as("pids accepted").isGreaterThan(10);
    }

    @Test
    void agreeWithThePatternsAtTheirLengthLimits() {
        for (int length = 0; length <= 100; length++) {
            check("a".repeat(length));
            check("1".repeat(length));
            check("9" + "0".repeat(Math.max(0, length - 1)));
            check("0" + "1".repeat(length));
        }
    }

    @Test
    void agreeWithThePatternsOnRandomStrings() {
        Random random = new Random(16);
        char[] chars = ALPHABET.toCharArray();
        String digitsAndVmChars = "0123456789abcXYZ._:-";
        for (int n = 0; n < 100_000; n++) {
            StringBuilder s = new StringBuilder();
            for (int i = random.nextInt(n % 2 == 0 ? 22 : 90); i > 0; i--) {
                // mostly characters the rules allow, so that both answers are reached at every length
                s.append(random.nextInt(40) == 0 ? chars[random.nextInt(chars.length)]
                        : digitsAndVmChars.charAt(random.nextInt(n % 3 == 0 ? 10 : digitsAndVmChars.length())));
            }
            check(s.toString());
        }
    }

    private static int[] check(String s) {
        boolean vm = TerminateRequestParser.VM_ID.matcher(s).matches();
        boolean pid = TerminateRequestParser.CANONICAL_PID.matcher(s).matches();
        assertThat(TerminateRequestParser.isVmId(s)).as("VM id %s", s).isEqualTo(vm);
        assertThat(TerminateRequestParser.isCanonicalPid(s)).as("pid %s", s).isEqualTo(pid);
        return new int[] {vm ? 1 : 0, pid ? 1 : 0};
    }
}
