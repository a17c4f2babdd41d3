package com.guestops.gateway.host.vapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.guestops.gateway.error.ErrorSource;
import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.error.VapiError;
import com.guestops.gateway.error.VapiException;
import com.guestops.gateway.error.VapiMessage;
import com.guestops.gateway.host.GuestCredentials;
import com.guestops.gateway.host.HostCalls;
import com.guestops.gateway.host.HostClient;
import com.guestops.gateway.host.HostEndpoint;
import com.guestops.gateway.host.HostType;
import com.guestops.gateway.host.SharedSession;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpRequest;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * A vCenter (7.0 U2+) reached through the vSphere Automation REST API.
 *
 * <p>{@code POST /api/session} with the service account (Basic auth) answers {@code 201} and the
 * session id as a JSON string; it goes in the {@code vmware-api-session-id} header of every call and is
 * shared by all calls (one login in flight at a time, see {@link SharedSession}). The terminate call
 * itself forwards the caller's guest credentials; the host's vAPI error body is passed on as it is
 * (type, messages, data).
 *
 * <p>A {@code 401} is ambiguous: the gateway's session may have expired, or the guest credentials
 * are wrong. {@code GET /api/session} tells: if our session is gone, log in again once and repeat the
 * call once; if it is alive, the 401 is the guest's {@code unauthenticated}.
 */
public final class VapiHostClient implements HostClient {

    private static final Logger LOG = Logger.getLogger(VapiHostClient.class);
    static final String SESSION_HEADER = "vmware-api-session-id";
    private static final int MAX_TEXT = 2000;

    private final HostEndpoint endpoint;
    private final ObjectMapper json;
    private final String basicAuthorization;
    private final SharedSession<Session> session;

    /** A session id; identity tells one login from the next. */
    record Session(String id) {
        @Override
        public String toString() {
            return "Session[****]"; // the id is a credential
        }
    }

    /** The host answered 401 to a call made with this session. */
    private static final class Unauthenticated extends RuntimeException {
        final transient Session session;
        final transient VapiException answer;

        Unauthenticated(Session session, VapiException answer) {
            super("unauthenticated", null, false, false);
            this.session = session;
            this.answer = answer;
        }
    }

    public VapiHostClient(HostEndpoint endpoint, ObjectMapper json) {
        this.endpoint = endpoint;
        this.json = json;
        String userPass = endpoint.username() + ":" + endpoint.password().reveal();
        this.basicAuthorization = "Basic " + Base64.getEncoder().encodeToString(userPass.getBytes(StandardCharsets.UTF_8));
        this.session = HostCalls.session(() -> HostCalls.countedLogin(endpoint, this::login));
    }

    @Override
    public String name() {
        return endpoint.name();
    }

    @Override
    public HostType type() {
        return HostType.VAPI;
    }

    @Override
    public Uni<Void> terminate(String vm, long pid, GuestCredentials credentials) {
        String url = endpoint.resolve("/api/vcenter/vm/" + segment(vm) + "/guest/processes/" + pid) + "?action=delete";
        return HostCalls.attempt(name(), endpoint.attemptTimeout(), () -> {
            Buffer body = Buffer.buffer(requestBody(credentials));
            return session.get()
                    .chain(s -> terminateWith(s, url, body))
                    // a 401 refuses the call before it runs, so repeating it cannot kill twice
                    .onFailure(Unauthenticated.class).recoverWithUni(failure -> {
                        Unauthenticated first = (Unauthenticated) failure;
                        return sessionAlive(first.session).chain(alive -> {
                            if (alive) {
                                return Uni.createFrom().failure(first.answer); // the guest's unauthenticated
                            }
                            LOG.debugf("Host %s: session expired, logging in again once", name());
                            return session.renew(first.session)
                                    .chain(s -> terminateWith(s, url, body))
                                    // a fresh session cannot have expired: now it is the guest's, never loop
                                    .onFailure(Unauthenticated.class).transform(again -> ((Unauthenticated) again).answer);
                        });
                    });
        });
    }

    /**
     * Discovery: {@code GET /api/vcenter/vm/{vm}}. 200 = this vCenter has the VM, 404 = it does not;
     * a 401 is resolved like a terminate's (session check, one re-login); anything else: cannot tell.
     */
    @Override
    public Uni<Boolean> owns(String vm) {
        String url = endpoint.resolve("/api/vcenter/vm/" + segment(vm));
        return HostCalls.attempt(name(), endpoint.attemptTimeout(), () -> session.get()
                .chain(s -> ownsWith(s, url))
                .onFailure(Unauthenticated.class).recoverWithUni(failure -> {
                    Unauthenticated first = (Unauthenticated) failure;
                    return sessionAlive(first.session).chain(alive -> alive
                            ? Uni.createFrom().failure(first.answer)
                            : session.renew(first.session).chain(s -> ownsWith(s, url)));
                }));
    }

    private Uni<Boolean> ownsWith(Session s, String url) {
        return request(endpoint.http().getAbs(url), s).send().map(response -> {
            int status = response.statusCode();
            if (status >= 200 && status < 300) {
                return true;
            }
            if (status == 404) {
                return false;
            }
            VapiException answer = hostError(response);
            if (status == 401) {
                throw new Unauthenticated(s, answer);
            }
            throw answer;
        });
    }

    private Uni<Void> terminateWith(Session s, String url, Buffer body) {
        return request(endpoint.http().postAbs(url), s)
                .putHeader("Content-Type", "application/json")
                .sendBuffer(body)
                .map(response -> {
                    int status = response.statusCode();
                    if (status >= 200 && status < 300) {
                        return null;
                    }
                    VapiException answer = hostError(response);
                    if (status == 401) {
                        throw new Unauthenticated(s, answer);
                    }
                    throw answer;
                });
    }

    /** {@code GET /api/session}: 200 = our session is alive, 401 = it is gone, anything else is the answer. */
    private Uni<Boolean> sessionAlive(Session s) {
        return request(endpoint.http().getAbs(endpoint.resolve("/api/session")), s).send().map(response -> {
            int status = response.statusCode();
            if (status >= 200 && status < 300) {
                return true;
            }
            if (status == 401) {
                return false;
            }
            throw hostError(response);
        });
    }

    private Uni<Session> login() {
        return endpoint.http().postAbs(endpoint.resolve("/api/session"))
                .putHeader("Authorization", basicAuthorization)
                .timeout(endpoint.attemptTimeout().toMillis())
                .send()
                .map(response -> {
                    int status = response.statusCode();
                    if (status == 401 || status == 403) {
                        LOG.warnf("Host %s refused the login of service account '%s' (HTTP %d)", name(),
                                endpoint.username(), status);
                        throw HostCalls.loginFailed(name(), "HTTP " + status);
                    }
                    if (status < 200 || status >= 300) {
                        throw hostError(response);
                    }
                    JsonNode id = parse(response);
                    if (id == null || !id.isTextual() || id.asText().isBlank()) {
                        throw bad(status, "login answer is not a JSON string");
                    }
                    LOG.debugf("Host %s: logged in as '%s'", name(), endpoint.username());
                    return new Session(id.asText());
                });
    }

    private HttpRequest<Buffer> request(HttpRequest<Buffer> request, Session s) {
        return request.putHeader(SESSION_HEADER, s.id()).timeout(endpoint.attemptTimeout().toMillis());
    }

    /** The caller's guest credentials in the vAPI shape ({@code vcenter.vm.guest.credentials}). */
    private byte[] requestBody(GuestCredentials credentials) {
        ObjectNode root = json.createObjectNode();
        ObjectNode c = root.putObject("credentials");
        c.put("interactive_session", credentials.interactiveSession());
        if (credentials instanceof GuestCredentials.UsernamePassword up) {
            c.put("type", "USERNAME_PASSWORD");
            if (up.user() != null) {
                c.put("user_name", up.user());
            }
            c.put("password", up.password().reveal());
        } else {
            GuestCredentials.SamlBearerToken saml = (GuestCredentials.SamlBearerToken) credentials;
            c.put("type", "SAML_BEARER_TOKEN");
            if (saml.user() != null) {
                c.put("user_name", saml.user());
            }
            c.put("saml_token", saml.token().reveal());
        }
        try {
            return json.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialize credentials"); // never the exception: it may quote them
        }
    }

    // ---- the host's error body, translated 1:1 -----------------------------------------------------

    /**
     * The host's vAPI error, in either shape: {@code {"error_type": "NOT_FOUND", "messages": [...],
     * "data": {...}}} (/api) or {@code {"type": "com.vmware.vapi.std.errors.not_found", "value": {...}}}
     * (/rest). A body that is neither is not echoed: a gateway-made {@code error}, or
     * {@code service_unavailable} for a proxy's 502/503/504 page.
     */
    private VapiException hostError(HttpResponse<Buffer> response) {
        int status = response.statusCode();
        JsonNode root = parse(response);
        JsonNode content = root;
        String typeName = null;
        if (root != null && root.isObject() && root.path("error_type").isTextual()) {
            typeName = root.path("error_type").asText();
        } else if (root != null && root.isObject() && root.path("type").isTextual() && root.path("value").isObject()) {
            typeName = root.path("type").asText();
            content = root.path("value");
        }
        if (typeName == null) {
            if (HostCalls.isProxyUnavailable(status)) {
                LOG.warnf("Host %s answered HTTP %d without a vAPI error body", name(), status);
                return HostCalls.unavailable(name(), status);
            }
            if (status == 401) {
                // a bare 401 (no vAPI body): still the guest's unauthenticated once our session is known alive
                return VapiException.host(ErrorType.UNAUTHENTICATED, ErrorType.UNAUTHENTICATED.legacyTypeName(),
                        "The guest credentials are not valid.");
            }
            return bad(status, "error body is not a vAPI error");
        }
        ErrorType type = ErrorType.fromVapiName(typeName);
        if (type == ErrorType.OPERATION_NOT_FOUND) {
            // the host lacks the operation (vCenter older than 7.0 U2): a host problem, not the caller's path
            type = ErrorType.ERROR;
        }
        return new VapiException(new VapiError(type, messages(content.path("messages")), data(content.path("data"))),
                ErrorSource.HOST);
    }

    private List<VapiMessage> messages(JsonNode messages) {
        List<VapiMessage> out = new ArrayList<>();
        if (messages.isArray()) {
            for (JsonNode m : messages) {
                List<String> args = new ArrayList<>();
                m.path("args").forEach(a -> args.add(a.isTextual() ? a.asText() : a.toString()));
                out.add(new VapiMessage(m.path("id").asText(""), truncate(m.path("default_message").asText("")), args));
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> data(JsonNode data) {
        if (!data.isObject()) {
            return null;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        json.convertValue(data, Map.class).forEach((k, v) -> {
            if (v != null) { // VapiError keeps data immutable, and immutable maps refuse null values
                out.put((String) k, v);
            }
        });
        return out;
    }

    private JsonNode parse(HttpResponse<Buffer> response) {
        String contentType = response.getHeader("Content-Type");
        Buffer body = response.body();
        if (body == null || contentType == null
                || !contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            return null;
        }
        try {
            return json.readTree(body.getBytes());
        } catch (IOException e) {
            return null; // the parser's message may quote the body: drop it
        }
    }

    private VapiException bad(int status, String reason) {
        LOG.warnf("Host %s answered something that is not a usable vAPI response: %s (HTTP %d)", name(), reason, status);
        return HostCalls.badResponse(name(), status, "vAPI REST");
    }

    private static String truncate(String s) {
        return s.length() > MAX_TEXT ? s.substring(0, MAX_TEXT) + "…" : s;
    }

    /** One URL path segment, percent-encoded (a VM id may hold ':'; nothing can add a segment). */
    static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    // ---- test hooks ------------------------------------------------------------------------------

    /** Forgets the session, so the next call logs in again. */
    public void forgetSession() {
        session.forget();
    }

    public boolean hasSession() {
        return session.established();
    }
}
