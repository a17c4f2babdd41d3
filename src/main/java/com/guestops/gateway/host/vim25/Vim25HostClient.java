package com.guestops.gateway.host.vim25;

import com.guestops.gateway.error.ErrorSource;
import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.error.GatewayMessages;
import com.guestops.gateway.error.VapiError;
import com.guestops.gateway.error.VapiException;
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
import java.util.List;
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
 * shared by all calls (one login in flight at a time, see {@link SharedSession}); the morefs are kept
 * across re-logins. Each terminate is one {@code TerminateProcessInGuest}; a {@code NotAuthenticated}
 * fault (the host dropped the session, e.g. after 30 min idle) causes one re-login and one repeat.
 *
 * <p>Everything is non-blocking (Vert.x WebClient); the small response bodies are parsed in memory.
 */
public final class Vim25HostClient implements HostClient {

    private static final Logger LOG = Logger.getLogger(Vim25HostClient.class);

    /** Guest credentials holding a character that no XML document can carry. */
    static final String NOT_XML = GatewayMessages.VALIDATION + "value.not_xml";
    static final String COOKIE = "vmware_soap_session";
    static final String SETUP_FAILED = GatewayMessages.PREFIX + "host.setup_failed";
    /**
     * SOAPAction of the very first call, before the host has told its own API version: 5.1 is the
     * oldest version with every type used here (SAMLTokenAuthentication) and is understood by every
     * supported ESXi/vCenter. Later calls use the host's own {@code about.apiVersion}.
     */
    static final String INITIAL_VERSION = "5.1";
    private static final Pattern VERSION = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){0,3}");

    private final HostEndpoint endpoint;
    private final String sdkUrl;
    private final SharedSession<Session> session;
    private volatile ServiceContent serviceContent;
    private volatile Moref processManager;

    /** The parts of the host's ServiceContent we use, and the SOAPAction version for later calls. */
    record ServiceContent(Moref sessionManager, Moref propertyCollector, Moref guestOperationsManager, String version) {
    }

    /** A logged-in session: the cookie to send and the process manager to call. */
    record Session(String cookie, String version, Moref processManager) {
        @Override
        public String toString() {
            return "Session[****]"; // the cookie is a credential
        }
    }

    /** The host said NotAuthenticated for this session: it expired or was terminated. */
    private static final class SessionExpired extends RuntimeException {
        final transient Session session;

        SessionExpired(Session session) {
            super("session expired", null, false, false);
            this.session = session;
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
        this.sdkUrl = path == null || path.isEmpty() || path.equals("/") ? endpoint.resolve("/sdk") : endpoint.resolve("");
        try {
            SoapRequests.escape(endpoint.username());
            SoapRequests.escape(endpoint.password().reveal());
        } catch (SoapRequests.UnencodableValueException e) {
            throw new IllegalStateException("Invalid configuration of host '" + endpoint.name()
                    + "': username or password contains a character that XML cannot carry");
        }
        this.session = HostCalls.session(() -> HostCalls.countedLogin(endpoint, this::login));
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
    public Uni<Void> terminate(String vm, long pid, GuestCredentials credentials) {
        return HostCalls.attempt(name(), endpoint.attemptTimeout(), () -> {
            String auth;
            try {
                auth = SoapRequests.auth(credentials);
            } catch (SoapRequests.UnencodableValueException e) {
                return Uni.createFrom().failure(VapiException.gateway(ErrorType.INVALID_ARGUMENT, NOT_XML,
                        "The value of " + e.field() + " contains a character that cannot be sent to a vim25 host.",
                        e.field()));
            }
            return session.get()
                    .chain(s -> terminateWith(s, vm, pid, auth))
                    // NotAuthenticated refuses the call before it runs, so repeating it cannot kill twice
                    .onFailure(SessionExpired.class).recoverWithUni(expired -> {
                        LOG.debugf("Host %s: session expired, logging in again once", name());
                        return session.renew(((SessionExpired) expired).session)
                                .chain(s -> terminateWith(s, vm, pid, auth))
                                // a fresh session rejected at once: report it, never loop
                                .onFailure(SessionExpired.class).transform(again -> new VapiException(VapiError.of(
                                        ErrorType.ERROR, Vim25Faults.messageId("NotAuthenticated"),
                                        "Host " + name() + " rejected a fresh session.", name()), ErrorSource.HOST));
                    });
        });
    }

    /**
     * Discovery: {@code RetrievePropertiesEx} of the VM's {@code runtime.host}. The VM is here when the
     * host returns it, not here on {@code ManagedObjectNotFound}; anything else means "cannot tell".
     */
    @Override
    public Uni<Boolean> owns(String vm) {
        return HostCalls.attempt(name(), endpoint.attemptTimeout(), () -> session.get()
                .chain(s -> ownsWith(s, vm))
                .onFailure(SessionExpired.class).recoverWithUni(expired -> session
                        .renew(((SessionExpired) expired).session)
                        .chain(s -> ownsWith(s, vm))));
    }

    private Uni<Boolean> ownsWith(Session s, String vm) {
        ServiceContent sc = serviceContent; // known once a session exists
        return post(s.cookie(), s.version(), SoapRequests.retrieveVmRuntimeHost(sc.propertyCollector(), vm)).map(reply -> {
            SoapResponse soap = reply.soap();
            if (soap.isFault()) {
                String type = soap.fault().type();
                if ("NotAuthenticated".equals(type)) {
                    throw new SessionExpired(s);
                }
                if ("ManagedObjectNotFound".equals(type)) {
                    return false;
                }
                throw Vim25Faults.toVapi(soap.fault(), vm, 0);
            }
            Element response = expect(soap, "RetrievePropertiesExResponse");
            return SoapResponse.child(response, "returnval")
                    .flatMap(r -> SoapResponse.child(r, "objects"))
                    .isPresent();
        });
    }

    private Uni<Void> terminateWith(Session s, String vm, long pid, String auth) {
        String body = SoapRequests.terminateProcessInGuest(s.processManager(), vm, auth, pid);
        return post(s.cookie(), s.version(), body).map(reply -> {
            SoapResponse soap = reply.soap();
            if (soap.isFault()) {
                if ("NotAuthenticated".equals(soap.fault().type())) {
                    throw new SessionExpired(s);
                }
                throw Vim25Faults.toVapi(soap.fault(), vm, pid);
            }
            expect(soap, "TerminateProcessInGuestResponse");
            return null;
        });
    }

    // ---- session set-up: RetrieveServiceContent (once) → Login → RetrievePropertiesEx (once) --------

    private Uni<Session> login() {
        return serviceContent().chain(sc -> post(null, sc.version(),
                SoapRequests.login(sc.sessionManager(), endpoint.username(), endpoint.password().reveal()))
                .map(reply -> {
                    if (reply.soap().isFault()) {
                        String fault = reply.soap().fault().type();
                        LOG.warnf("Host %s refused the login of service account '%s' (%s)", name(), endpoint.username(),
                                fault);
                        throw HostCalls.loginFailed(name(), fault.isEmpty() ? "SOAP fault" : fault);
                    }
                    expect(reply.soap(), "LoginResponse");
                    return sessionCookie(reply);
                })
                .chain(cookie -> processManager(sc, cookie).map(pm -> new Session(cookie, sc.version(), pm))))
                .invoke(s -> LOG.debugf("Host %s: logged in as '%s'", name(), endpoint.username()));
    }

    private Uni<ServiceContent> serviceContent() {
        ServiceContent cached = serviceContent;
        if (cached != null) {
            return Uni.createFrom().item(cached);
        }
        return post(null, INITIAL_VERSION, SoapRequests.retrieveServiceContent()).map(reply -> {
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

    private Uni<Moref> processManager(ServiceContent sc, String cookie) {
        Moref cached = processManager;
        if (cached != null) {
            return Uni.createFrom().item(cached);
        }
        return post(cookie, sc.version(), SoapRequests.retrieveProcessManager(sc.propertyCollector(),
                sc.guestOperationsManager())).map(reply -> {
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

    /** The {@code returnval} of a set-up call's response; a fault there is the host's error. */
    private Element returnval(Reply reply, String responseElement) {
        if (reply.soap().isFault()) {
            SoapResponse.Fault fault = reply.soap().fault();
            // a fault while setting up the session is about the host and the gateway's account, never about
            // the guest: not the guest-fault table (NoPermission would read as the guest user's 403), but
            // a 503 the host's breaker counts
            LOG.warnf("Host %s failed a session set-up call with fault %s", name(), fault.type());
            throw VapiException.gateway(ErrorType.SERVICE_UNAVAILABLE, SETUP_FAILED,
                    "Host " + name() + " failed to set up a session (" + fault.type() + ").", name(), fault.type());
        }
        Element response = expect(reply.soap(), responseElement);
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

    private Uni<Reply> post(String cookie, String version, String xml) {
        HttpRequest<Buffer> request = endpoint.http().postAbs(sdkUrl)
                .putHeader("Content-Type", "text/xml; charset=utf-8")
                .putHeader("SOAPAction", "\"urn:vim25/" + version + "\"")
                .timeout(endpoint.attemptTimeout().toMillis());
        if (cookie != null) {
            request.putHeader("Cookie", cookie);
        }
        return request.sendBuffer(Buffer.buffer(xml)).map(this::read);
    }

    /**
     * Every vim25 answer is XML: 200 with the method's response, 500 with a SOAP fault. Anything else
     * (an HTML error page, a truncated or foreign body) is refused without echoing it.
     */
    private Reply read(HttpResponse<Buffer> response) {
        int status = response.statusCode();
        String contentType = response.getHeader("Content-Type");
        Buffer body = response.body();
        byte[] bytes = body == null ? new byte[0] : body.getBytes();
        if ((status != 200 && status != 500) || !SoapResponse.isXmlContentType(contentType)) {
            if (HostCalls.isProxyUnavailable(status)) {
                LOG.warnf("Host %s answered HTTP %d (%s, %d bytes) without a SOAP body", name(), status, contentType,
                        bytes.length);
                throw HostCalls.unavailable(name(), status);
            }
            throw bad(status, "HTTP status or content type " + contentType + " is not SOAP", bytes.length);
        }
        SoapResponse soap;
        try {
            soap = SoapResponse.parse(bytes);
        } catch (SoapResponse.NotSoapException e) {
            throw bad(status, e.getMessage(), bytes.length);
        }
        if (status == 500 && !soap.isFault()) {
            throw bad(status, "HTTP 500 without a SOAP fault", bytes.length);
        }
        return new Reply(soap, response.cookies());
    }

    private Element expect(SoapResponse soap, String element) {
        try {
            return soap.expect(element);
        } catch (SoapResponse.NotSoapException e) {
            throw bad(200, e.getMessage(), -1);
        }
    }

    private VapiException missing(String what) {
        return bad(200, "response without " + what, -1);
    }

    private VapiException bad(int status, String reason, int length) {
        // the reason is our own fixed text; the body is never logged (a broken proxy may echo a password)
        LOG.warnf("Host %s answered something that is not a usable vim25 response: %s (HTTP %d, %d bytes)",
                name(), reason, status, length);
        return HostCalls.badResponse(name(), status, "vim25 SOAP");
    }

    // ---- test hooks ------------------------------------------------------------------------------

    /** Forgets the session and the cached morefs, so the next call goes through the whole set-up again. */
    public void forgetSession() {
        session.forget();
        serviceContent = null;
        processManager = null;
    }

    /** True while a session is established with the host. */
    public boolean hasSession() {
        return session.established();
    }
}
