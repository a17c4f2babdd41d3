package com.guestops.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The guard's URI check must answer exactly as Quarkus' own ({@code new URI(target)} parses): its one-scan shortcut
 * may only ever accept what {@code new URI} accepts, and whatever it does not take is left to {@code new URI}.
 */
class UriCheckTest {

    /** Every character the shortcut takes, and the ones that make a target invalid or change how it parses. */
    private static final String ALPHABET = "aZ09-_.!~*'()/?;@&=+$,"
            + ":%#[]{}|\\^`\"<> \t\u0000\u007f\u00e9\u2028";

    private static boolean parses(String target) {
        try {
            new URI(target);
            return true;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    @Test
    void agreesWithNewUriOnEveryShortTarget() {
        char[] chars = ALPHABET.toCharArray();
        int plain = 0;
        for (char a : chars) {
            for (char b : chars) {
                for (char c : chars) {
                    for (String target : new String[] {"/" + a + b + c, "" + a + b + c, "/" + a + b, "/" + a, "/"}) {
                        boolean parses = parses(target);
                        if (UriCheck.plain(target)) {
                            plain++;
                            assertThat(parses).as("shortcut took %s", target).isTrue();
                        }
                        assertThat(UriCheck.valid(target)).as("%s", target).isEqualTo(parses);
                    }
                }
            }
        }
        assertThat(plain).as("targets the shortcut decided").isGreaterThan(20_000);
    }

    @Test
    void agreesWithNewUriOnRandomLongTargets() {
        Random random = new Random(16);
        char[] chars = ALPHABET.toCharArray();
        for (int n = 0; n < 50_000; n++) {
            StringBuilder target = new StringBuilder(random.nextInt(4) == 0 ? "" : "/");
            for (int i = random.nextInt(60); i > 0; i--) {
                // mostly plain characters, as real targets are, so that both branches are reached
                target.append(random.nextInt(30) == 0 ? chars[random.nextInt(chars.length)]
                        : chars[random.nextInt(22)]);
            }
            String t = target.toString();
            assertThat(UriCheck.valid(t)).as("%s", t).isEqualTo(parses(t));
            if (UriCheck.plain(t)) {
                assertThat(parses(t)).as("shortcut took %s", t).isTrue();
            }
        }
    }

    @Test
    void theOperationsTargetsTakeTheShortcut() {
        assertThat(UriCheck.plain("/api/vcenter/vm/vm-1/guest/processes/1000?action=delete")).isTrue();
        assertThat(UriCheck.plain("/rest/vcenter/vm/vm-42/guest/processes/1000?action=delete")).isTrue();
        assertThat(UriCheck.plain("//evil/api")).isFalse(); // an authority: new URI decides
        assertThat(UriCheck.valid("/api/vcenter/vm/%zz/guest/processes/1")).isFalse();
        assertThat(UriCheck.valid("/api/vcenter/vm/vm%2D1/guest/processes/1")).isTrue();
        assertThat(UriCheck.valid(null)).isFalse();
    }
}
