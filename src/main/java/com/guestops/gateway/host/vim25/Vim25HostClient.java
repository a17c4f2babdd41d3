package com.guestops.gateway.host.vim25;

import com.guestops.gateway.config.HostType;
import com.guestops.gateway.error.ErrorSource;
import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.error.GatewayMessages;
import com.guestops.gateway.error.VapiError;
import com.guestops.gateway.error.VapiException;
import com.guestops.gateway.host.GuestCredentials;
import com.guestops.gateway.host.HostClient;
import com.guestops.gateway.host.HostEndpoint;
import com.guestops.gateway.host.HostFailure;
import com.guestops.gateway.host.HostFailure.Kind;
import com.guestops.gateway.host.HostHttp;
import com.guestops.gateway.host.HostHttp.Header;
import com.guestops.gateway.host.HostHttp.Pool;
import com.guestops.gateway.host.ProcessInfo;
import com.guestops.gateway.host.SharedSession;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;
import org.w3c.dom.Element;

/**
 * A host that speaks vim25 SOAP: an ESXi host or a vCenter, at {@code https://<host>/sdk}.
 *
 * <p>Per host, once: {@code RetrieveServiceContent} (the morefs of the session manager, property
 * collector and guest operations manager, which differ between ESXi and vCenter), then
 * {@code SessionManager.Login} with the service account (session = the {@code vmware_soap_session}
 * cookie), then {@code RetrievePropertiesEx} for the {@code GuestProcessManager} moref. The session is
 * shared by all calls ({@link SharedSession}); the morefs are kept across re-logins. Each kill is one
 * {@code TerminateProcessInGuest}, successful only with a well-formed
 * {@code TerminateProcessInGuestResponse}; a {@code NotAuthenticated} fault (the host dropped the
 * session, e.g. after 30 min idle) means: log in again once, repeat once. {@code Logout} ends a
 * replaced session and the last one at shutdown.
 *
 * <p>Everything is non-blocking ({@link HostHttp}); the small, capped bodies are parsed in memory.
 */
public final class Vim25HostClient implements HostClient {

    private static final Logger LOG = Logger.getLogger(Vim25HostClient.class);

    static final String COOKIE = "vmware_soap_session";
    private static final Header XML_BODY = new Header(HttpHeaders.createOptimized("Content-Type"), "text/xml; charset=utf-8");
    private static final CharSequence SOAP_ACTION = HttpHeaders.createOptimized("SOAPAction");
    private static final CharSequence COOKIE_HEADER = HttpHeaders.createOptimized("Cookie");
    /**
     * SOAPAction of the very first call, before the host has told its own API version: 5.1 is the
     * oldest version with every type used here (SAMLTokenAuthentication) and is understood by every
     * supported ESXi/vCenter. Later calls use the host's own {@code about.apiVersion}.
     */
    static final String INITIAL_VERSION = "5.1";
    private static final Pattern VERSION = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){0,3}");

    private final HostEndpoint endpoint;
    /** Below the host's URL: {@code /sdk}, or nothing when the URL names the SDK's path itself. */
    private final String sdkPath;
    private final SharedSession<Session> session;
    private volatile ServiceContent serviceContent;
    private volatile Moref processManager;

    /** The parts of the host's ServiceContent we use, and the SOAPAction version for later calls. */
    record ServiceContent(Moref sessionManager, Moref propertyCollector, Moref guestOperationsManager, String version) {
    }

    /** A logged-in session: the cookie to send, the version to speak, the morefs to call. */
    record Session(String cookie, ServiceContent content, Moref processManager) {
        String version() {
            return content.version();
        }

        @Override
        public String toString() {
            return "Session[****]"; // the cookie is a credential
        }
    }

    /** A parsed reply and the Set-Cookie headers that came with it. */
    private record Reply(SoapResponse soap, List<String> setCookies) {
        @Override
        public String toString() {
            return "Reply[****]"; // Set-Cookie carries the session
        }
    }

    public Vim25HostClient(HostEndpoint endpoint) {
        this.endpoint = endpoint;
        String path = endpoint.url().getRawPath();
        // the documented URL ends in /sdk; accept the bare host too
        this.sdkPath = path == null || path.isEmpty() || path.equals("/") ? "/sdk" : "";
        try {
            SoapRequests.escape(endpoint.username());
            SoapRequests.escape(endpoint.password().reveal());
        } catch (SoapRequests.UnencodableValueException e) {
            throw new IllegalStateException("Invalid configuration of host '" + endpoint.name()
                    + "': username or password contains a character that XML cannot carry");
        }
        this.session = endpoint.session(this::login, this::logout);
    }

    @Override
    public String name() {
        return endpoint.name();
    }

    @Override
    public HostType type() {
        return HostType.VIM25;
    }

    @Override
    public HostCall<Void> terminate(String vm, long pid, GuestCredentials credentials) {
        String auth = auth(credentials);
        List<String> secrets = endpoint.neverRelayed(credentials);
        return timeout -> Uni.createFrom().deferred(() -> {
            long deadline = System.nanoTime() + timeout.toNanos();
            return session.call((s, renewed) -> terminateWith(s, vm, pid, auth, deadline, secrets), () -> new VapiException(
                    VapiError.of(ErrorType.ERROR, Vim25Faults.messageId("NotAuthenticated"),
                            "Host " + name() + " rejected a fresh session.", name()), ErrorSource.HOST));
        });
    }

    /** The guest credentials as a vim25 {@code auth}; input XML cannot carry is refused before any guard: not a host attempt. */
    private static String auth(GuestCredentials credentials) {
        try {
            return SoapRequests.auth(credentials);
        } catch (SoapRequests.UnencodableValueException e) {
            throw VapiException.gateway(ErrorType.INVALID_ARGUMENT, GatewayMessages.VALUE_NOT_XML,
                    "The value of " + e.field() + " contains a character that cannot be sent to a vim25 host.", e.field());
        }
    }

    /**
     * The process lookup: {@code ListProcessesInGuest} with {@code pids=[pid]}. One {@code returnval}
     * ({@code GuestProcessInfo}) is the answer; none means the guest has no such process (the host's
     * {@code not_found} with {@code data.pid}, as {@code GuestProcessNotFound} is for the kill). Faults map as
     * for the kill. A read: repeating it is harmless.
     */
    @Override
    public HostCall<ProcessInfo> process(String vm, long pid, GuestCredentials credentials) {
        String auth = auth(credentials);
        List<String> secrets = endpoint.neverRelayed(credentials);
        return timeout -> Uni.createFrom().deferred(() -> {
            long deadline = System.nanoTime() + timeout.toNanos();
            return session.call((s, renewed) -> processWith(s, vm, pid, auth, deadline, secrets), () -> new VapiException(
                    VapiError.of(ErrorType.ERROR, Vim25Faults.messageId("NotAuthenticated"),
                            "Host " + name() + " rejected a fresh session.", name()), ErrorSource.HOST));
        });
    }

    private Uni<ProcessInfo> processWith(Session s, String vm, long pid, String auth, long deadline, List<String> secrets) {
        String body = SoapRequests.listProcessesInGuest(s.processManager(), vm, auth, pid);
        return post(Pool.OPERATIONS, s.cookie(), s.version(), body, deadline, false).map(reply -> {
            SoapResponse soap = reply.soap();
            if (soap.isFault()) {
                if ("NotAuthenticated".equals(soap.fault().type())) {
                    throw new SharedSession.Rejected(s, null);
                }
                throw Vim25Faults.toVapi(soap.fault(), vm, pid, secrets);
            }
            Element response = expect(soap, "ListProcessesInGuestResponse", false);
            List<Element> found = SoapResponse.children(response, "returnval");
            if (found.isEmpty()) {
                // the reference: "If a specified process does not exist, nothing will be returned for that process"
                throw new VapiException(VapiError.of(ErrorType.NOT_FOUND, Vim25Faults.messageId("GuestProcessNotFound"),
                        "Process " + pid + " was not found in the guest of virtual machine " + vm + ".",
                        Long.toString(pid), vm).withData(Map.of("pid", pid)), ErrorSource.HOST);
            }
            Element info = found.stream()
                    .filter(r -> SoapResponse.child(r, "pid").map(SoapResponse::text).filter(Long.toString(pid)::equals).isPresent())
                    .findFirst()
                    .orElseThrow(() -> bad(200, "ListProcessesInGuestResponse without the pid asked for", -1, false));
            return processInfo(info);
        });
    }

    /** A {@code GuestProcessInfo}: name, owner, cmdLine and startTime required; endTime and exitCode optional. */
    private ProcessInfo processInfo(Element info) {
        Optional<String> name = SoapResponse.child(info, "name").map(SoapResponse::text);
        Optional<String> owner = SoapResponse.child(info, "owner").map(SoapResponse::text);
        Optional<String> command = SoapResponse.child(info, "cmdLine").map(SoapResponse::text);
        Optional<Instant> started = SoapResponse.child(info, "startTime").map(SoapResponse::text).flatMap(Vim25HostClient::instant);
        if (name.isEmpty() || owner.isEmpty() || command.isEmpty() || started.isEmpty()) {
            throw bad(200, "GuestProcessInfo without name, owner, cmdLine or startTime", -1, false);
        }
        Instant finished = SoapResponse.child(info, "endTime").map(SoapResponse::text).flatMap(Vim25HostClient::instant).orElse(null);
        Long exitCode = SoapResponse.child(info, "exitCode").map(SoapResponse::text).flatMap(Vim25HostClient::number).orElse(null);
        return new ProcessInfo(name.get(), owner.get(), command.get(), started.get(), finished, exitCode);
    }

    /** An {@code xsd:dateTime}; vSphere sends it with an offset ({@code 2026-01-01T00:00:00Z} or {@code ...+01:00}). */
    private static Optional<Instant> instant(String text) {
        try {
            return Optional.of(OffsetDateTime.parse(text.trim()).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static Optional<Long> number(String text) {
        try {
            return Optional.of(Long.parseLong(text.trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private Uni<Void> terminateWith(Session s, String vm, long pid, String auth, long deadline, List<String> secrets) {
        String body = SoapRequests.terminateProcessInGuest(s.processManager(), vm, auth, pid);
        return post(Pool.OPERATIONS, s.cookie(), s.version(), body, deadline, true).map(reply -> {
            SoapResponse soap = reply.soap();
            if (soap.isFault()) {
                if ("NotAuthenticated".equals(soap.fault().type())) {
                    throw new SharedSession.Rejected(s, null); // refused before it ran: safe to repeat
                }
                throw Vim25Faults.toVapi(soap.fault(), vm, pid, secrets);
            }
            expect(soap, "TerminateProcessInGuestResponse", true);
            return null;
        });
    }

    /**
     * Discovery: {@code RetrievePropertiesEx} of the VM's {@code runtime.host}. The VM is here when the
     * host returns it, not here on {@code ManagedObjectNotFound}; anything else means "cannot tell".
     */
    @Override
    public Uni<Ownership> lookup(String vm, Duration timeout) {
        return Uni.createFrom().deferred(() -> {
            long deadline = System.nanoTime() + timeout.toNanos();
            return session.call((s, renewed) -> ownsWith(s, vm, deadline),
                    () -> new HostFailure(Kind.BAD_RESPONSE, name(), false, -1, "fresh session rejected", null));
        });
    }

    private Uni<Ownership> ownsWith(Session s, String vm, long deadline) {
        String body = SoapRequests.retrieveVmRuntimeHost(s.content().propertyCollector(), vm);
        return post(Pool.LOOKUPS, s.cookie(), s.version(), body, deadline, false).map(reply -> {
            SoapResponse soap = reply.soap();
            if (soap.isFault()) {
                String type = soap.fault().type();
                if ("NotAuthenticated".equals(type)) {
                    throw new SharedSession.Rejected(s, null);
                }
                if ("ManagedObjectNotFound".equals(type)) {
                    return Ownership.NOT_HERE; // the host's own "no such VM"
                }
                throw new HostFailure(Kind.BAD_RESPONSE, name(), false, 500, "lookup fault " + type, null);
            }
            Element response = expect(soap, "RetrievePropertiesExResponse", false);
            boolean found = SoapResponse.child(response, "returnval").flatMap(r -> SoapResponse.child(r, "objects")).isPresent();
            if (!found) {
                throw new HostFailure(Kind.BAD_RESPONSE, name(), false, 200, "lookup answer without the VM", null);
            }
            return Ownership.OWNS;
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

    // ---- session set-up: RetrieveServiceContent (once) → Login → RetrievePropertiesEx (once) --------

    private Uni<Session> login() {
        long deadline = endpoint.sessionDeadline();
        return serviceContent(deadline).chain(sc -> post(Pool.SESSION, null, sc.version(),
                SoapRequests.login(sc.sessionManager(), endpoint.username(), endpoint.password().reveal()), deadline, false)
                .map(reply -> {
                    if (reply.soap().isFault()) {
                        String fault = reply.soap().fault().type();
                        LOG.warnf("Host %s refused the login of service account '%s' (%s)", name(), endpoint.username(),
                                fault);
                        throw new HostFailure(Kind.LOGIN_REFUSED, name(), false, 500, fault.isEmpty() ? "SOAP fault" : fault, null);
                    }
                    expect(reply.soap(), "LoginResponse", false);
                    return sessionCookie(reply);
                })
                .chain(cookie -> processManager(sc, cookie, deadline).map(pm -> new Session(cookie, sc, pm))))
                .invoke(s -> LOG.debugf("Host %s: logged in as '%s'", name(), endpoint.username()));
    }

    /** {@code SessionManager.Logout} with the session's cookie; bounded, and its answer does not matter. */
    private Uni<Void> logout(Session s) {
        long deadline = System.nanoTime() + HostClient.LOGOUT_TIMEOUT.toNanos();
        return post(Pool.SESSION, s.cookie(), s.version(), SoapRequests.logout(s.content().sessionManager()), deadline, false)
                .invoke(reply -> LOG.debugf("Host %s: logged out", name()))
                .replaceWithVoid();
    }

    private Uni<ServiceContent> serviceContent(long deadline) {
        ServiceContent cached = serviceContent;
        if (cached != null) {
            return Uni.createFrom().item(cached);
        }
        return post(Pool.SESSION, null, INITIAL_VERSION, SoapRequests.retrieveServiceContent(), deadline, false).map(reply -> {
            Element content = returnval(reply, "RetrieveServiceContentResponse");
            String version = SoapResponse.child(content, "about").flatMap(a -> SoapResponse.child(a, "apiVersion"))
                    .map(SoapResponse::text).filter(v -> VERSION.matcher(v).matches()).orElse(INITIAL_VERSION);
            ServiceContent sc = new ServiceContent(
                    SoapResponse.moref(content, "sessionManager").orElseThrow(() -> missing("sessionManager")),
                    SoapResponse.moref(content, "propertyCollector").orElseThrow(() -> missing("propertyCollector")),
                    SoapResponse.moref(content, "guestOperationsManager")
                            .orElseThrow(() -> missing("guestOperationsManager")),
                    version);
            serviceContent = sc;
            return sc;
        });
    }

    private Uni<Moref> processManager(ServiceContent sc, String cookie, long deadline) {
        Moref cached = processManager;
        if (cached != null) {
            return Uni.createFrom().item(cached);
        }
        return post(Pool.SESSION, cookie, sc.version(), SoapRequests.retrieveProcessManager(sc.propertyCollector(),
                sc.guestOperationsManager()), deadline, false).map(reply -> {
                    Element returnval = returnval(reply, "RetrievePropertiesExResponse");
                    Moref pm = SoapResponse.child(returnval, "objects").stream()
                            .flatMap(o -> SoapResponse.children(o, "propSet").stream())
                            .filter(p -> SoapResponse.child(p, "name").map(SoapResponse::text)
                                    .filter("processManager"::equals).isPresent())
                            .findFirst()
                            .flatMap(p -> SoapResponse.moref(p, "val"))
                            .orElseThrow(() -> missing("processManager"));
                    processManager = pm;
                    return pm;
                });
    }

    /** The {@code returnval} of a set-up call's response; a fault there is about the host, never the guest. */
    private Element returnval(Reply reply, String responseElement) {
        if (reply.soap().isFault()) {
            SoapResponse.Fault fault = reply.soap().fault();
            // not the guest-fault table (NoPermission would read as the guest user's 403): a host failure
            LOG.warnf("Host %s failed a session set-up call with fault %s", name(), fault.type());
            throw new HostFailure(Kind.SETUP_FAILED, name(), false, 500, fault.type(), null);
        }
        Element response = expect(reply.soap(), responseElement, false);
        return SoapResponse.child(response, "returnval").orElseThrow(() -> missing("returnval"));
    }

    private String sessionCookie(Reply reply) {
        for (String header : reply.setCookies()) {
            String pair = header.split(";", 2)[0].trim();
            if (pair.startsWith(COOKIE + "=") && pair.length() > COOKIE.length() + 1) {
                return pair;
            }
        }
        throw missing("the " + COOKIE + " cookie");
    }

    // ---- one SOAP exchange -------------------------------------------------------------------------

    private Uni<Reply> post(Pool pool, String cookie, String version, String xml, long deadline, boolean operation) {
        Header action = new Header(SOAP_ACTION, "\"urn:vim25/" + version + "\"");
        List<Header> headers = cookie == null ? List.of(XML_BODY, action) : List.of(XML_BODY, action, new Header(COOKIE_HEADER, cookie));
        return endpoint.http().send(pool, HttpMethod.POST, sdkPath, headers, Buffer.buffer(xml), deadline, operation)
                .map(answer -> read(answer, operation));
    }

    /**
     * Every vim25 answer is XML: 200 with the method's response, 500 with a SOAP fault. Anything else
     * (an HTML error page, a truncated or foreign body) is refused without echoing it.
     */
    private Reply read(HostHttp.Answer answer, boolean operation) {
        int status = answer.status();
        int length = answer.body().length();
        if ((status != 200 && status != 500) || !SoapResponse.isXmlContentType(answer.contentType())) {
            if (status == 502 || status == 503 || status == 504) {
                LOG.warnf("Host %s answered HTTP %d (%d bytes) without a SOAP body", name(), status, length);
                throw new HostFailure(Kind.UNAVAILABLE, name(), operation, status, "HTTP " + status, null);
            }
            throw bad(status, "HTTP status or content type " + answer.contentType() + " is not SOAP", length, operation);
        }
        SoapResponse soap;
        try {
            soap = SoapResponse.parse(answer.body().getBytes());
        } catch (SoapResponse.NotSoapException e) {
            throw bad(status, e.getMessage(), length, operation);
        }
        if (status == 500 && !soap.isFault()) {
            throw bad(status, "HTTP 500 without a SOAP fault", length, operation);
        }
        return new Reply(soap, answer.setCookies());
    }

    private Element expect(SoapResponse soap, String element, boolean operation) {
        try {
            return soap.expect(element);
        } catch (SoapResponse.NotSoapException e) {
            throw bad(200, e.getMessage(), -1, operation);
        }
    }

    private HostFailure missing(String what) {
        return bad(200, "response without " + what, -1, false);
    }

    private HostFailure bad(int status, String reason, int length, boolean operation) {
        // the reason is our own fixed text; the body is never logged (a broken proxy may echo a password)
        LOG.warnf("Host %s answered something that is not a usable vim25 response: %s (HTTP %d, %d bytes)",
                name(), reason, status, length);
        return new HostFailure(Kind.BAD_RESPONSE, name(), operation, status, "not a vim25 SOAP response", null);
    }

}
