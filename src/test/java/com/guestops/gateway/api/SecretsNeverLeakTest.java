package com.guestops.gateway.api;

import static com.guestops.gateway.support.VapiCall.delete;
import static org.assertj.core.api.Assertions.assertThat;

import com.guestops.gateway.host.GuestCredentials;
import com.guestops.gateway.host.Secret;
import com.guestops.gateway.support.LogCapture;
import com.guestops.gateway.support.VapiAnswer;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Guest passwords and SAML tokens never appear in an error body or in any log line. */
@QuarkusTest
class SecretsNeverLeakTest {

    @Test
    void noSecretInBodiesOrLogs() {
        String password = "Pw-" + UUID.randomUUID();
        String token = "Saml-" + UUID.randomUUID();
        List<VapiAnswer> answers = new ArrayList<>();
        try (LogCapture log = LogCapture.start()) {
            for (Flavour f : Flavour.values()) {
                // host rejects the password
                answers.add(delete(f, "vm-1", 1000).body(cred("USERNAME_PASSWORD", "root", password, null, false)).send());
                // host rejects the token
                answers.add(delete(f, "vm-1", 1000).body(cred("SAML_BEARER_TOKEN", "root", null, token, false)).send());
                // validation: both secrets where only one belongs
                answers.add(delete(f, "vm-1", 1000).body(cred("SAML_BEARER_TOKEN", "root", password, token, true)).send());
                answers.add(delete(f, "vm-1", 1000).body(cred("USERNAME_PASSWORD", "root", password, token, false)).send());
                // malformed JSON right after the secret
                answers.add(delete(f, "vm-1", 1000).body("{\"credentials\":{\"password\":\"" + password + "\",}").send());
                answers.add(delete(f, "vm-1", 1000).body("{\"credentials\":{\"password\":" + password + "}}").send());
                // all the other outcomes, with the secret in the body
                for (String vm : new String[] {"vm-2", "vm-3", "vm-4", "vm-5", "vm-404", "vm-lab-error"}) {
                    answers.add(delete(f, vm, 1000).body(cred("USERNAME_PASSWORD", "root", password, null, false)).send());
                }
            }
            assertThat(answers).allSatisfy(a -> {
                assertThat(a.status()).isGreaterThanOrEqualTo(400);
                assertThat(a.body()).doesNotContain(password).doesNotContain(token);
            });
            assertThat(log.lines()).as("captured log lines").isNotEmpty();
            assertThat(log.all()).doesNotContain(password).doesNotContain(token);
        }
    }

    @Test
    void credentialsToStringRedactsSecrets() {
        GuestCredentials up = new GuestCredentials.UsernamePassword("root", Secret.of("s3cret"), false);
        GuestCredentials saml = new GuestCredentials.SamlBearerToken("root", Secret.of("t0ken"));
        assertThat(up.toString()).contains("root").doesNotContain("s3cret");
        assertThat(saml.toString()).doesNotContain("t0ken");
    }

    private static String cred(String type, String user, String password, String token, boolean interactive) {
        StringBuilder b = new StringBuilder("{\"credentials\":{\"type\":\"" + type + "\",\"user_name\":\"" + user + "\"");
        if (password != null) {
            b.append(",\"password\":\"").append(password).append('"');
        }
        if (token != null) {
            b.append(",\"saml_token\":\"").append(token).append('"');
        }
        return b.append(",\"interactive_session\":").append(interactive).append("}}").toString();
    }
}
