package com.guestops.gateway.host;

import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.error.GatewayMessages;
import com.guestops.gateway.error.VapiException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import org.jboss.logging.Logger;

/** What the real host clients (vim25, vapi) share around one attempt of a host call. */
public final class HostCalls {

    /** The host answered something that is not its protocol (HTML page, truncated or foreign body). */
    public static final String BAD_RESPONSE = GatewayMessages.PREFIX + "host.bad_response";
    /** An HTTP 502/503/504 without a protocol body: a proxy or load balancer says the service is down. */
    public static final String UNAVAILABLE = GatewayMessages.PREFIX + "host.unavailable";
    /** The host refused the gateway's service account. */
    public static final String LOGIN_FAILED = GatewayMessages.PREFIX + "host.login_failed";

    private static final Logger LOG = Logger.getLogger(HostCalls.class);

    private HostCalls() {
    }

    /**
     * One attempt: lazy (each subscription runs {@code attempt} afresh, so retries really call the host
     * again), bounded by {@code timeout} (then a {@link TimeoutException}), and completing on the
     * subscriber's Vert.x context even when a shared login or a timer finished it on another thread.
     * The host's guard applies the same timeout around the attempt; this bound keeps the
     * {@link HostClient} contract (timeouts surface as {@link TimeoutException}) for any caller.
     */
    public static <T> Uni<T> attempt(String host, Duration timeout, Supplier<Uni<T>> attempt) {
        return Uni.createFrom().deferred(() -> {
            Context context = Vertx.currentContext();
            Uni<T> bounded = Uni.createFrom().deferred(attempt::get)
                    .ifNoItem().after(timeout)
                    .failWith(() -> new TimeoutException("Host " + host + " did not answer within " + timeout))
                    // the caller only sees "unreachable"; the operator needs to know it is the certificate
                    .onFailure(SSLException.class).invoke(e -> LOG.warnf("Host %s: TLS handshake failed (%s). If the"
                            + " host's certificate is self-signed, trust it through gateway.hosts.%s.tls-configuration-name.",
                            host, e.getMessage(), host));
            return context == null ? bounded
                    : bounded.emitOn(command -> context.runOnContext(ignored -> command.run()));
        });
    }

    /**
     * One real login, its outcome counted once ({@code guestops_host_logins_total}: success, refused,
     * timeout, transport_error, error), however many callers wait for it.
     */
    public static <S> Uni<S> countedLogin(HostEndpoint endpoint, Supplier<Uni<S>> login) {
        return Uni.createFrom().deferred(login::get)
                .onItem().invoke(() -> endpoint.logins().accept(endpoint.name(), "success"))
                .onFailure().invoke(f -> endpoint.logins().accept(endpoint.name(), loginResult(f)));
    }

    static String loginResult(Throwable failure) {
        if (failure instanceof VapiException vapi) {
            return vapi.error().messages().stream().anyMatch(m -> LOGIN_FAILED.equals(m.id())) ? "refused" : "error";
        }
        if (failure instanceof TimeoutException) {
            return "timeout";
        }
        return failure instanceof IOException || failure instanceof VertxException ? "transport_error" : "error";
    }

    /** Gateway-made 500 {@code error} for an answer that is not the host's protocol; never echoes the body. */
    public static VapiException badResponse(String host, int status, String protocol) {
        return VapiException.gateway(ErrorType.ERROR, BAD_RESPONSE, "Host " + host + " answered with something that"
                + " is not a valid " + protocol + " response (HTTP " + status + ").", host, Integer.toString(status));
    }

    /** Gateway-made 503 for a proxy's 502/503/504 page: the host's service is down, let the breaker see it. */
    public static VapiException unavailable(String host, int status) {
        return VapiException.gateway(ErrorType.SERVICE_UNAVAILABLE, UNAVAILABLE, "Host " + host
                + " is temporarily unavailable (HTTP " + status + ").", host, Integer.toString(status));
    }

    /**
     * Gateway-made 503 when the host refuses the gateway's service account: no call can succeed until
     * the configuration is fixed, and 503 lets the circuit breaker stop hammering the host (and
     * locking the account out).
     */
    /** How long a refused service-account login is answered from memory instead of being tried again. */
    public static final java.time.Duration LOGIN_BACKOFF = java.time.Duration.ofSeconds(30);

    /** A session whose refused logins are kept for {@link #LOGIN_BACKOFF}. */
    public static <S> SharedSession<S> session(java.util.function.Supplier<Uni<S>> login) {
        return new SharedSession<>(login, HostCalls::isLoginRefusal, LOGIN_BACKOFF, System::nanoTime);
    }

    static boolean isLoginRefusal(Throwable f) {
        return f instanceof VapiException v && v.error().messages().stream().anyMatch(m -> LOGIN_FAILED.equals(m.id()));
    }

    public static VapiException loginFailed(String host, String reason) {
        return VapiException.gateway(ErrorType.SERVICE_UNAVAILABLE, LOGIN_FAILED, "The gateway could not log in to host "
                + host + " with its service account (" + reason + ").", host, reason);
    }

    public static boolean isProxyUnavailable(int status) {
        return status == 502 || status == 503 || status == 504;
    }
}
