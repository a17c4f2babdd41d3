package com.guestops.gateway.api;

import com.guestops.gateway.error.ErrorSource;
import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.error.GatewayMessages;
import com.guestops.gateway.error.VapiError;
import com.guestops.gateway.error.VapiException;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.interceptor.Interceptor;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The terminate traffic's part in a graceful shutdown, on top of Quarkus' own
 * ({@code quarkus.shutdown.delay} / {@code quarkus.shutdown.timeout}).
 *
 * <p>On SIGTERM Quarkus turns readiness DOWN and keeps serving for the delay, so that Services stop
 * sending to this pod; then it waits up to the timeout for the HTTP requests in progress, but still hands
 * every new one to the application. Past the delay this gate refuses them: 503 {@code service_unavailable},
 * id {@value #SHUTTING_DOWN}, {@code Retry-After: 1} (another instance takes the request), before the
 * request is authenticated, routed or forwarded, so no kill starts on a pod that is going away.
 *
 * <p>A terminate whose caller hung up still runs to its end (and is then audited), but is no HTTP request
 * any more, so Quarkus would not wait for it: when the HTTP requests are drained, the gate waits for every
 * terminate it saw start, up to the end of the shutdown timeout.
 */
@Singleton
public class ShutdownGate {

    public static final String SHUTTING_DOWN = GatewayMessages.PREFIX + "shutting_down";
    static final String RETRY_AFTER_SECONDS = "1";
    private static final Logger LOG = Logger.getLogger(ShutdownGate.class);

    private final Duration delay;
    private final Duration timeout;
    private final AtomicInteger running = new AtomicInteger();
    private final Object allEnded = new Object();
    private volatile boolean shuttingDown;
    private volatile long refusingFromNanos;

    @Inject
    public ShutdownGate(@ConfigProperty(name = "quarkus.shutdown.delay") Optional<Duration> delay,
            @ConfigProperty(name = "quarkus.shutdown.timeout") Optional<Duration> timeout) {
        this.delay = delay.orElse(Duration.ZERO);
        this.timeout = timeout.orElse(Duration.ZERO);
    }

    /** Fired by Quarkus when the shutdown delay starts (SIGTERM; readiness is DOWN from now on). */
    void shutdownStarted(@Observes ShutdownDelayInitiatedEvent event) {
        refusingFromNanos = System.nanoTime() + delay.toNanos();
        shuttingDown = true;
        LOG.infof("Shutting down: new terminate requests are served for %d ms more, then refused (503 %s);"
                + " %d in progress", delay.toMillis(), SHUTTING_DOWN, running.get());
    }

    /** The answer for a terminate request arriving now, if this instance is past its shutdown delay. */
    public Optional<VapiException> refusal() {
        if (!shuttingDown || System.nanoTime() - refusingFromNanos < 0) {
            return Optional.empty();
        }
        return Optional.of(new VapiException(VapiError.of(ErrorType.SERVICE_UNAVAILABLE, SHUTTING_DOWN,
                "This gateway instance is shutting down and takes no new requests; send the request again."),
                ErrorSource.GATEWAY, Map.of("Retry-After", RETRY_AFTER_SECONDS)));
    }

    /** Counts a terminate as running until it ends, whether or not its caller still waits for it. */
    public <T> CompletableFuture<T> track(CompletableFuture<T> terminate) {
        running.incrementAndGet();
        return terminate.whenComplete((result, failure) -> {
            if (running.decrementAndGet() == 0) {
                synchronized (allEnded) {
                    allEnded.notifyAll();
                }
            }
        });
    }

    /**
     * Quarkus has drained the HTTP requests (or given up after the timeout); before anything is closed,
     * wait for the terminates still running, until the end of the shutdown timeout.
     */
    void drain(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent event) throws InterruptedException {
        long end = (shuttingDown ? refusingFromNanos : System.nanoTime()) + timeout.toNanos();
        synchronized (allEnded) {
            if (running.get() > 0) {
                LOG.infof("Waiting for %d terminate request(s) whose callers are gone", running.get());
            }
            while (running.get() > 0) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    LOG.warnf("%d terminate request(s) still running at the end of the shutdown timeout (%d s):"
                            + " they end unanswered and unaudited", running.get(), timeout.toSeconds());
                    return;
                }
                allEnded.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }
}
