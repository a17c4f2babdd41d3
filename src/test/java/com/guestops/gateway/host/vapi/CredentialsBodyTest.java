package com.guestops.gateway.host.vapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.guestops.gateway.host.GuestCredentials;
import com.guestops.gateway.host.Secret;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The host call's body, written by hand: the same bytes Jackson's generator writes for the same fields in the same
 * order (the generator is the oracle here, in test code), for every kind of character a caller's JSON can carry.
 */
class CredentialsBodyTest {

    private static final JsonFactory JACKSON = new JsonFactory();
    /** What the generator-based version wrote: kept here as the reference the hand-written one must match. */
    private static byte[] oracle(GuestCredentials credentials) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JACKSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeObjectFieldStart("credentials");
            g.writeBooleanField("interactive_session", credentials.interactiveSession());
            if (credentials instanceof GuestCredentials.UsernamePassword up) {
                g.writeStringField("type", "USERNAME_PASSWORD");
                if (up.user() != null) {
                    g.writeStringField("user_name", up.user());
                }
                g.writeStringField("password", up.password().reveal());
            } else {
                GuestCredentials.SamlBearerToken saml = (GuestCredentials.SamlBearerToken) credentials;
                g.writeStringField("type", "SAML_BEARER_TOKEN");
                if (saml.user() != null) {
                    g.writeStringField("user_name", saml.user());
                }
                g.writeStringField("saml_token", saml.token().reveal());
            }
            g.writeEndObject();
            g.writeEndObject();
        }
        return out.toByteArray();
    }

    @Test
    void theUsualBodyIsTheVapiShape() throws IOException {
        byte[] body = CredentialsBody.of(new GuestCredentials.UsernamePassword("root", Secret.of("vmware"), false));
        assertThat(new String(body, StandardCharsets.UTF_8)).isEqualTo(
                "{\"credentials\":{\"interactive_session\":false,\"type\":\"USERNAME_PASSWORD\",\"user_name\":\"root\","
                        + "\"password\":\"vmware\"}}");
        JsonNode parsed = new ObjectMapper().readTree(body);
        assertThat(parsed.path("credentials").path("password").asText()).isEqualTo("vmware");
    }

    @Test
    void everyShapeOfCredentialsAsTheGeneratorWritesIt() throws IOException {
        for (boolean interactive : new boolean[] {true, false}) {
            for (String user : new String[] {null, "", "Administrator@vsphere.local"}) {
                for (String secret : new String[] {"", "s3cr\"et\\", "<saml:Assertion xmlns=\"urn:x\">\n</saml:Assertion>"}) {
                    assertSame(new GuestCredentials.UsernamePassword(user, Secret.of(secret), interactive));
                    assertSame(new GuestCredentials.SamlBearerToken(user, Secret.of(secret)));
                }
            }
        }
    }

    @Test
    void everyCharacterClassAsTheGeneratorEscapesIt() throws IOException {
        // each single char of the BMP, surrogates (lone) included, as user name and as password
        StringBuilder all = new StringBuilder();
        for (char c = 0; c < 0xFFFF; c++) {
            all.append(c);
            if (all.length() == 512) {
                assertSame(new GuestCredentials.UsernamePassword(all.toString(), Secret.of(all.reverse().toString()), false));
                all.setLength(0);
            }
        }
        assertSame(new GuestCredentials.UsernamePassword(all.toString(), Secret.of("\uFFFF"), false));
    }

    @Test
    void randomTextAsTheGeneratorWritesIt() throws IOException {
        Random random = new Random(20261204);
        char[] alphabet = "aZ09 \"\\/\b\t\n\f\r\u0000\u001f\u007f\u0080\u00e9\u07ff\u0800\u20ac\ud800\udbff\udc00\udfff\ufffe\uffff"
                .toCharArray();
        for (int i = 0; i < 5_000; i++) {
            String user = random.nextInt(4) == 0 ? null : text(random, alphabet);
            String secret = text(random, alphabet);
            assertSame(random.nextBoolean()
                    ? new GuestCredentials.UsernamePassword(user, Secret.of(secret), random.nextBoolean())
                    : new GuestCredentials.SamlBearerToken(user, Secret.of(secret)));
        }
    }

    private static String text(Random random, char[] alphabet) {
        char[] chars = new char[random.nextInt(40)];
        for (int i = 0; i < chars.length; i++) {
            // mostly the tricky alphabet, sometimes a valid surrogate pair or any char at all
            int pick = random.nextInt(10);
            chars[i] = pick < 8 ? alphabet[random.nextInt(alphabet.length)] : (char) random.nextInt(0x10000);
        }
        String s = new String(chars);
        return random.nextInt(5) == 0 ? s + new String(Character.toChars(0x1F600 + random.nextInt(50))) : s;
    }

    private static void assertSame(GuestCredentials credentials) throws IOException {
        assertThat(CredentialsBody.of(credentials)).as(credentials.userName() + " / " + credentials.getClass().getSimpleName())
                .isEqualTo(oracle(credentials));
    }
}
