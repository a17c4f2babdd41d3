package com.guestops.gateway.host.vapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.guestops.gateway.config.HostType;
import com.guestops.gateway.error.ErrorSource;
import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.error.VapiError;
import com.guestops.gateway.error.VapiException;
import com.guestops.gateway.error.VapiMessage;
import com.guestops.gateway.host.GuestCredentials;
import com.guestops.gateway.host.HostClient;
import com.guestops.gateway.host.HostEndpoint;
import com.guestops.gateway.host.HostFailure;
import com.guestops.gateway.host.HostFailure.Kind;
import com.guestops.gateway.host.HostHttp;
import com.guestops.gateway.host.HostHttp.Header;
import com.guestops.gateway.host.HostHttp.Pool;
import com.guestops.gateway.host.ProcessInfo;
import com.guestops.gateway.host.RelayedErrors;
import com.guestops.gateway.host.SharedSession;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
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
 * shared by all calls ({@link SharedSession}); {@code DELETE /api/session} ends a replaced session and
 * the last one at shutdown. A kill succeeded only when the host answers {@code 204} or an empty
 * {@code 200}; any other 2xx (an SSO login page, a captive proxy, a body) is not the protocol. The
 * host's vAPI error body is passed on (bounded, see {@link RelayedErrors}).
 *
 * <p>A {@code 401} is ambiguous: the gateway's session may have expired, or the guest credentials are
 * wrong. {@code GET /api/session} tells: if our session is gone, it is renewed (once) and the call
 * repeated (once); if it is alive, the 401 is the guest's {@code unauthenticated}.
 */
public final class VapiHostClient implements HostClient {

    private static final Logger LOG = Logger.getLogger(VapiHostClient.class);
    static final String SESSION_HEADER = "vmware-api-session-id";
    private static final CharSequence SESSION = HttpHeaders.createOptimized(SESSION_HEADER);
    private static final Header JSON_BODY = new Header(HttpHeaders.createOptimized("Content-Type"), "application/json");

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

    public VapiHostClient(HostEndpoint endpoint, ObjectMapper json) {
        this.endpoint = endpoint;
        this.json = json;
        String userPass = endpoint.username() + ":" + endpoint.password().reveal();
        this.basicAuthorization = "Basic " + Base64.getEncoder().encodeToString(userPass.getBytes(StandardCharsets.UTF_8));
        this.session = endpoint.session(this::login, this::logout);
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
    public HostCall<Void> terminate(String vm, long pid, GuestCredentials credentials) {
        return guestProcessCall(vm, pid, "delete", credentials, this::terminateWith);
    }

    /** One answer of the host to a guest-process call made with a session. */
    @FunctionalInterface
    private interface WithSession<T> {
        Uni<T> call(Session s, boolean renewed, String path, Buffer body, long deadline, List<String> secrets);
    }

    /**
     * {@code POST /api/vcenter/vm/{vm}/guest/processes/{pid}?action=...} with the guest credentials, under the shared
     * session (renewed once if it expired), within the attempt's time.
     */
    private <T> HostCall<T> guestProcessCall(String vm, long pid, String action, GuestCredentials credentials,
            WithSession<T> withSession) {
        String path = "/api/vcenter/vm/" + segment(vm) + "/guest/processes/" + pid + "?action=" + action;
        Buffer body = Buffer.buffer(CredentialsBody.of(credentials));
        List<String> secrets = endpoint.neverRelayed(credentials);
        return timeout -> Uni.createFrom().deferred(() -> {
            long deadline = System.nanoTime() + timeout.toNanos();
            return session.call((s, renewed) -> withSession.call(s, renewed, path, body, deadline, secrets),
                    () -> new HostFailure(Kind.BAD_RESPONSE, name(), false, 401, "fresh session rejected", null));
        });
    }

    private Uni<Void> terminateWith(Session s, boolean renewed, String path, Buffer body, long deadline,
            List<String> secrets) {
        List<Header> headers = List.of(sessionHeader(s), JSON_BODY);
        return endpoint.http().send(Pool.OPERATIONS, HttpMethod.POST, path, headers, body, deadline, true)
                .chain(answer -> {
                    int status = answer.status();
                    if (status == 204 || status == 200 && answer.body().length() == 0) {
                        return Uni.createFrom().voidItem();
                    }
                    if (status >= 200 && status < 300) {
                        // the request went out and something answered, but not vCenter's "done": unknown
                        throw bad(status, "a 2xx that is not 204 or an empty 200", true);
                    }
                    VapiException answerForCaller = hostError(answer, true, secrets);
                    return status == 401 ? unauthenticated(s, renewed, answerForCaller, deadline) : Uni.createFrom().failure(answerForCaller);
                });
    }

    /**
     * The process lookup: {@code POST /api/vcenter/vm/{vm}/guest/processes/{pid}?action=get} with the guest
     * credentials (vCenter 7.0 U2+). {@code 200} with a {@code Processes.Info} object is the answer; a vAPI error
     * is relayed as for the kill (the host's {@code not_found} carries {@code data.pid}); anything else is not the
     * protocol. A read: repeating it is harmless (it shares the kills' connections, guard and bulkhead).
     */
    @Override
    public HostCall<ProcessInfo> process(String vm, long pid, GuestCredentials credentials) {
        return guestProcessCall(vm, pid, "get", credentials, this::processWith);
    }

    private Uni<ProcessInfo> processWith(Session s, boolean renewed, String path, Buffer body, long deadline,
            List<String> secrets) {
        List<Header> headers = List.of(sessionHeader(s), JSON_BODY);
        return endpoint.http().send(Pool.OPERATIONS, HttpMethod.POST, path, headers, body, deadline, false)
                .chain(answer -> {
                    int status = answer.status();
                    if (status == 200) {
                        ProcessInfo info = processInfo(parse(answer));
                        if (info == null) {
                            throw bad(status, "a 200 that is not a Processes.Info object", false);
                        }
                        return Uni.createFrom().item(info);
                    }
                    if (status >= 200 && status < 300) {
                        throw bad(status, "a 2xx that is not a 200 with a Processes.Info", false);
                    }
                    VapiException answerForCaller = hostError(answer, false, secrets);
                    return status == 401 ? unauthenticated(s, renewed, answerForCaller, deadline) : Uni.createFrom().failure(answerForCaller);
                });
    }

    /** {@code Processes.Info}: name, owner, command and started required; finished and exit_code optional. Null if not that. */
    private static ProcessInfo processInfo(JsonNode root) {
        if (root == null || !root.isObject()) {
            return null;
        }
        JsonNode info = root.has("value") && root.path("value").isObject() ? root.path("value") : root; // /rest wraps it
        String name = info.path("name").isTextual() ? info.path("name").asText() : null;
        String owner = info.path("owner").isTextual() ? info.path("owner").asText() : null;
        String command = info.path("command").isTextual() ? info.path("command").asText() : null;
        Instant started = instant(info.path("started"));
        if (name == null || owner == null || command == null || started == null) {
            return null;
        }
        Instant finished = instant(info.path("finished"));
        Long exitCode = info.path("exit_code").isIntegralNumber() ? info.path("exit_code").asLong() : null;
        return new ProcessInfo(name, owner, command, started, finished, exitCode);
    }

    private static Instant instant(JsonNode node) {
        if (!node.isTextual()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(node.asText()).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /**
     * Discovery: {@code GET /api/vcenter/vm/{vm}}. The VM's JSON (200) = this vCenter has it; a vAPI
     * {@code NOT_FOUND} error body = it does not; anything else (a plain or HTML 404 of a proxy or an old
     * vCenter, an HTML 200, a 5xx) = it could not say.
     */
    @Override
    public Uni<Ownership> lookup(String vm, Duration timeout) {
        String path = "/api/vcenter/vm/" + segment(vm);
        return Uni.createFrom().deferred(() -> {
            long deadline = System.nanoTime() + timeout.toNanos();
            return session.call((s, renewed) -> ownsWith(s, renewed, path, deadline),
                    () -> new HostFailure(Kind.BAD_RESPONSE, name(), false, 401, "fresh session rejected", null));
        });
    }

    private Uni<Ownership> ownsWith(Session s, boolean renewed, String path, long deadline) {
        return endpoint.http().send(Pool.LOOKUPS, HttpMethod.GET, path, List.of(sessionHeader(s)), Buffer.buffer(), deadline, false)
                .chain(answer -> {
                    int status = answer.status();
                    JsonNode body = parse(answer);
                    if (status == 200 && body != null && body.isObject()) {
                        return Uni.createFrom().item(Ownership.OWNS);
                    }
                    if (status == 401) {
                        return unauthenticated(s, renewed, new HostFailure(Kind.BAD_RESPONSE, name(), false, 401,
                                "401 with a live session", null), deadline);
                    }
                    if (status == 404 && ErrorType.NOT_FOUND.name().equals(errorTypeName(body))) {
                        return Uni.createFrom().item(Ownership.NOT_HERE);
                    }
                    throw new HostFailure(status == 502 || status == 503 || status == 504 ? Kind.UNAVAILABLE : Kind.BAD_RESPONSE,
                            name(), false, status, "lookup answer is not the VM nor a vAPI NOT_FOUND", null);
                });
    }

    /**
     * A 401: our session is gone (renew it and repeat, see {@link SharedSession}) or the 401 is the
     * answer. A session just renewed cannot have expired: then the 401 is the answer, without a check.
     */
    private <T> Uni<T> unauthenticated(Session s, boolean renewed, Throwable answer, long deadline) {
        if (renewed) {
            return Uni.createFrom().failure(answer);
        }
        return sessionAlive(s, deadline).chain(alive -> alive
                ? Uni.createFrom().failure(answer)
                : Uni.createFrom().failure(new SharedSession.Rejected(s, answer)));
    }

    /** {@code GET /api/session}: 200 = our session is alive, 401 = it is gone, anything else: the host is not well. */
    private Uni<Boolean> sessionAlive(Session s, long deadline) {
        return endpoint.http().send(Pool.SESSION, HttpMethod.GET, "/api/session", List.of(sessionHeader(s)),
                Buffer.buffer(), deadline, false).map(answer -> {
                    int status = answer.status();
                    if (status >= 200 && status < 300) {
                        return true;
                    }
                    if (status == 401) {
                        return false;
                    }
                    throw new HostFailure(status == 502 || status == 503 || status == 504 ? Kind.UNAVAILABLE : Kind.BAD_RESPONSE,
                            name(), false, status, "session check answered HTTP " + status, null);
                });
    }

    @Override
    public Uni<Void> logout() {
        return session.close();
    }

    @Override
    public void close() {
        endpoint.http().close();
    }

    private Uni<Session> login() {
        List<Header> headers = List.of(new Header(HttpHeaders.createOptimized("Authorization"), basicAuthorization));
        return endpoint.http().send(Pool.SESSION, HttpMethod.POST, "/api/session", headers,
                Buffer.buffer(), endpoint.sessionDeadline(), false).map(answer -> {
                    int status = answer.status();
                    if (status == 401 || status == 403) {
                        LOG.warnf("Host %s refused the login of service account '%s' (HTTP %d)", name(),
                                endpoint.username(), status);
                        throw new HostFailure(Kind.LOGIN_REFUSED, name(), false, status, "HTTP " + status, null);
                    }
                    if (status == 502 || status == 503 || status == 504) {
                        throw new HostFailure(Kind.UNAVAILABLE, name(), false, status, "HTTP " + status, null);
                    }
                    if (status < 200 || status >= 300) {
                        LOG.warnf("Host %s failed the login of service account '%s' (HTTP %d)", name(), endpoint.username(), status);
                        throw new HostFailure(Kind.SETUP_FAILED, name(), false, status, "login HTTP " + status, null);
                    }
                    JsonNode id = parse(answer);
                    if (id == null || !id.isTextual() || id.asText().isBlank()) {
                        throw bad(status, "login answer is not a JSON string", false);
                    }
                    if (!id.asText().chars().allMatch(c -> c > 0x20 && c < 0x7F)) {
                        // it goes into a header of every call (one with a line break would inject header lines), so
                        // it is unusable, and so is every login like it: kept like a refused login, for its back-off,
                        // rather than a new session left on the host (it cannot be logged out) for every request
                        LOG.warnf("Host %s answered the login of service account '%s' with a session id that is not"
                                + " visible ASCII: it cannot be sent, logging in is retried after a back-off", name(),
                                endpoint.username());
                        throw new HostFailure(Kind.LOGIN_REFUSED, name(), false, status, "unusable session id", null);
                    }
                    LOG.debugf("Host %s: logged in as '%s'", name(), endpoint.username());
                    return new Session(id.asText());
                });
    }

    /** {@code DELETE /api/session}: ends the session; bounded, and its answer does not matter. */
    private Uni<Void> logout(Session s) {
        return endpoint.http().send(Pool.SESSION, HttpMethod.DELETE, "/api/session", List.of(sessionHeader(s)),
                Buffer.buffer(), System.nanoTime() + HostClient.LOGOUT_TIMEOUT.toNanos(), false)
                .invoke(answer -> LOG.debugf("Host %s: logged out (HTTP %d)", name(), answer.status()))
                .replaceWithVoid();
    }

    private static Header sessionHeader(Session s) {
        return new Header(SESSION, s.id());
    }

    // ---- the host's error body --------------------------------------------------------------------

    /**
     * The host's vAPI error, in either shape: {@code {"error_type": "NOT_FOUND", "messages": [...],
     * "data": {...}}} (/api) or {@code {"type": "com.vmware.vapi.std.errors.not_found", "value": {...}}}
     * (/rest), relayed bounded and without {@code secrets}. A body that is neither is not echoed: a
     * {@link HostFailure} (a proxy's 502/503/504 page: the host is unavailable).
     */
    private VapiException hostError(HostHttp.Answer answer, boolean operation, List<String> secrets) {
        int status = answer.status();
        JsonNode root = parse(answer);
        String typeName = errorTypeName(root);
        if (typeName == null) {
            if (status == 502 || status == 503 || status == 504) {
                LOG.warnf("Host %s answered HTTP %d without a vAPI error body", name(), status);
                throw new HostFailure(Kind.UNAVAILABLE, name(), operation, status, "HTTP " + status, null);
            }
            if (status == 401) {
                // a bare 401 (no vAPI body): the guest's unauthenticated once our session is known alive
                return VapiException.host(ErrorType.UNAUTHENTICATED, ErrorType.UNAUTHENTICATED.legacyTypeName(),
                        "The guest credentials are not valid.");
            }
            throw bad(status, "error body is not a vAPI error", operation);
        }
        JsonNode content = root.has("error_type") ? root : root.path("value");
        ErrorType type = ErrorType.fromVapiName(typeName);
        if (type == ErrorType.OPERATION_NOT_FOUND) {
            // the host lacks the operation (vCenter older than 7.0 U2): a host problem, not the caller's path
            type = ErrorType.ERROR;
        }
        VapiError error = new VapiError(type, messages(content.path("messages")), data(content.path("data")));
        return new VapiException(RelayedErrors.bound(error, secrets), ErrorSource.HOST);
    }

    /** {@code NOT_FOUND} for {@code {"error_type":"NOT_FOUND"}} and for {@code {"type":"...not_found","value":{}}}; else null. */
    private static String errorTypeName(JsonNode root) {
        if (root == null || !root.isObject()) {
            return null;
        }
        if (root.path("error_type").isTextual()) {
            return root.path("error_type").asText().toUpperCase(Locale.ROOT);
        }
        if (root.path("type").isTextual() && root.path("value").isObject()) {
            String type = root.path("type").asText();
            return type.substring(type.lastIndexOf('.') + 1).toUpperCase(Locale.ROOT);
        }
        return null;
    }

    private static List<VapiMessage> messages(JsonNode messages) {
        List<VapiMessage> out = new ArrayList<>();
        if (messages.isArray()) {
            for (JsonNode m : messages) {
                List<String> args = new ArrayList<>();
                m.path("args").forEach(a -> args.add(a.isTextual() ? a.asText() : a.toString()));
                out.add(new VapiMessage(m.path("id").asText(""), m.path("default_message").asText(""), args));
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

    private JsonNode parse(HostHttp.Answer answer) {
        String contentType = answer.contentType();
        if (answer.body().length() == 0 || contentType == null
                || !contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            return null;
        }
        try {
            return json.readTree(answer.body().getBytes());
        } catch (IOException e) {
            return null; // the parser's message may quote the body: drop it
        }
    }

    private HostFailure bad(int status, String reason, boolean operation) {
        LOG.warnf("Host %s answered something that is not a usable vAPI response: %s (HTTP %d)", name(), reason, status);
        return new HostFailure(Kind.BAD_RESPONSE, name(), operation, status, "not a vAPI REST response", null);
    }


    /** One URL path segment, percent-encoded (a VM id may hold ':'; nothing can add a segment). */
    static String segment(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (!unreserved(value.charAt(i))) {
                return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
            }
        }
        return value; // a usual id (vm-42): what the encoder would return, without its copies
    }

    /** The characters {@link URLEncoder} leaves as they are. */
    private static boolean unreserved(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_'
                || c == '*';
    }
}
