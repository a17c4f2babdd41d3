package com.guestops.gateway.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * A second vim25 client of the vcsim, as an administrator would use one: logs in with the same
 * service account, lists the server's sessions ({@code SessionManager.sessionList}) and ends sessions
 * ({@code SessionManager.TerminateSession}). Tests see the gateway's sessions from the host's side.
 */
public final class VcsimClient {

    /** One session on the server. */
    public record UserSession(String key, String userName) {
    }

    private static final String HEAD = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope"
            + " xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:urn=\"urn:vim25\"><soapenv:Body>";
    private static final String TAIL = "</soapenv:Body></soapenv:Envelope>";
    private static final Pattern COOKIE = Pattern.compile("vmware_soap_session=[^;]+");
    private static final Pattern SESSION = Pattern.compile(
            "<UserSession>\\s*<key>([^<]+)</key>\\s*<userName>([^<]*)</userName>");
    private static final Pattern KEY = Pattern.compile("<returnval>\\s*<key>([^<]+)</key>");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI sdk;
    private String cookie;
    private String ownKey;

    private VcsimClient(URI sdk) {
        this.sdk = sdk;
    }

    /** Logs in to the vcsim of the test boot. */
    public static VcsimClient login() throws IOException, InterruptedException {
        return login(URI.create(ConfigProvider.getConfig().getValue(Vcsim.URL, String.class)));
    }

    public static VcsimClient login(URI sdk) throws IOException, InterruptedException {
        VcsimClient client = new VcsimClient(sdk);
        HttpResponse<String> response = client.post("<urn:Login><urn:_this type=\"SessionManager\">SessionManager</urn:_this>"
                + "<urn:userName>" + Vcsim.USER + "</urn:userName><urn:password>"
                + Vcsim.PASSWORD.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                + "</urn:password></urn:Login>");
        Matcher cookie = COOKIE.matcher(String.join(";", response.headers().allValues("Set-Cookie")));
        Matcher key = KEY.matcher(response.body());
        if (response.statusCode() != 200 || !cookie.find() || !key.find()) {
            throw new IllegalStateException("vcsim refused the second client's login: " + response.statusCode());
        }
        client.cookie = cookie.group();
        client.ownKey = key.group(1);
        return client;
    }

    /** Every session on the server but this client's own. */
    public List<UserSession> otherSessions() throws IOException, InterruptedException {
        String body = post("<urn:RetrievePropertiesEx><urn:_this type=\"PropertyCollector\">propertyCollector</urn:_this>"
                + "<urn:specSet><urn:propSet><urn:type>SessionManager</urn:type><urn:pathSet>sessionList</urn:pathSet>"
                + "</urn:propSet><urn:objectSet><urn:obj type=\"SessionManager\">SessionManager</urn:obj></urn:objectSet>"
                + "</urn:specSet><urn:options/></urn:RetrievePropertiesEx>").body();
        List<UserSession> sessions = new ArrayList<>();
        Matcher m = SESSION.matcher(body);
        while (m.find()) {
            if (!m.group(1).equals(ownKey)) {
                sessions.add(new UserSession(m.group(1), m.group(2)));
            }
        }
        return sessions;
    }

    /** Ends every session on the server but this client's own (an administrator clearing sessions). */
    public void terminateOtherSessions() throws IOException, InterruptedException {
        StringBuilder ids = new StringBuilder();
        for (UserSession s : otherSessions()) {
            ids.append("<urn:sessionId>").append(s.key()).append("</urn:sessionId>");
        }
        if (ids.length() > 0) {
            HttpResponse<String> response = post("<urn:TerminateSession><urn:_this type=\"SessionManager\">SessionManager"
                    + "</urn:_this>" + ids + "</urn:TerminateSession>");
            if (response.statusCode() != 200) {
                throw new IllegalStateException("TerminateSession failed: " + response.body());
            }
        }
    }

    public void logout() throws IOException, InterruptedException {
        post("<urn:Logout><urn:_this type=\"SessionManager\">SessionManager</urn:_this></urn:Logout>");
    }

    private HttpResponse<String> post(String call) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(sdk).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "text/xml; charset=utf-8").header("SOAPAction", "\"urn:vim25/6.5\"")
                .POST(HttpRequest.BodyPublishers.ofString(HEAD + call + TAIL));
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
