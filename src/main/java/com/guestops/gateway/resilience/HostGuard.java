package com.guestops.gateway.resilience;

import com.guestops.gateway.error.ErrorSource;
import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.error.GatewayMessages;
import com.guestops.gateway.error.VapiError;
import com.guestops.gateway.error.VapiException;
import com.guestops.gateway.host.HostClient;
import com.guestops.gateway.metrics.GatewayMetrics;
import com.guestops.gateway.terminate.HostFailures;
import com.guestops.gateway.terminate.TerminateCommand;
import com.guestops.gateway.terminate.TerminateTrace;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.TypedGuard;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.util.TypeLiteral;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;

/**
 * Everything between the use case and one host: per-VM cool-down, then a SmallRye {@link TypedGuard}
 * built once for this host (retry outside circuit breaker outside per-attempt timeout outside
 * bulkhead; SmallRye's fixed order), plus the retry budget.
 *
 * <p>Policy (docs/resilience.md, "What is retried"): retry only what certainly did not happen — {@code resource_busy} answers and
 * refused connections — never a timeout or a failure after the request was sent, because the pid may
 * already be dead and re-used. The breaker counts {@code service_unavailable} answers, transport
 * failures and timeouts; a VM's repeated Tools-not-running answers count only once, so one broken
 * guest cannot open the breaker of a host that serves many healthy ones.
 */
public final class HostGuard {

    public static final String CIRCUIT_OPEN = GatewayMessages.PREFIX + "host.circuit_open";
    public static final String BULKHEAD_FULL = GatewayMessages.PREFIX + "host.bulkhead_full";
    public static final String VM_COOLDOWN = GatewayMessages.PREFIX + "vm.cooldown";
    public static final String DEADLINE_EXCEEDED = GatewayMessages.PREFIX + "deadline_exceeded";
    private static final long BACKSTOP_MILLIS = 1000;

    private final HostClient client;
    private final String host;
    private final HostPolicy policy;
    private final VmCooldown cooldown;
    private final RetryBudget budget;
    private final GatewayMetrics metrics;
    private final Tracer tracer;
    private final TypedGuard<Uni<Void>> guard;
    private final AtomicInteger inflight = new AtomicInteger();
    private volatile CircuitBreakerState breakerState = CircuitBreakerState.CLOSED;
    private volatile long openedAtNanos;

    HostGuard(HostClient client, HostPolicy policy, VmCooldown cooldown, GatewayMetrics metrics, Tracer tracer) {
        this.client = client;
        this.tracer = tracer;
        this.host = client.name();
        this.policy = policy;
        this.cooldown = cooldown;
        this.budget = new RetryBudget(policy.retryBudgetRatio(), policy.retryBudgetMinRetries(), policy.retryBudgetWindow());
        this.metrics = metrics;
        long retryDelay = policy.retryDelay().toMillis();
        this.guard = TypedGuard.create(new TypeLiteral<Uni<Void>>() { })
                .withDescription("host " + host)
                .withRetry()
                    .maxRetries(policy.maxRetries())
                    .delay(retryDelay, ChronoUnit.MILLIS)
                    .jitter(policy.retryJitter().toMillis(), ChronoUnit.MILLIS)
                    .maxDuration(policy.deadline().toMillis() + 1, ChronoUnit.MILLIS)
                    .whenException(t -> t instanceof AttemptFailure af && af.retry)
                    .beforeRetry(t -> metrics.retry(host))
                    .withExponentialBackoff()
                        .factor(2)
                        .maxDelay(Math.max(policy.retryMaxDelay().toMillis(), retryDelay + 1), ChronoUnit.MILLIS)
                        .done()
                    .done()
                .withCircuitBreaker()
                    .name("host-" + host)
                    .requestVolumeThreshold(policy.breakerRequestVolume())
                    .failureRatio(policy.breakerFailureRatio())
                    .delay(policy.breakerDelay().toMillis(), ChronoUnit.MILLIS)
                    .successThreshold(policy.breakerHalfOpenProbes())
                    .when(HostGuard::countsAgainstBreaker)
                    .onStateChange(this::breakerChanged)
                    .done()
                .withTimeout()
                    // backstop over the attempt's own timeout; also bounds the time queued in the bulkhead
                    .duration(policy.attemptTimeout().toMillis() + BACKSTOP_MILLIS, ChronoUnit.MILLIS)
                    .done()
                .withBulkhead()
                    .limit(policy.bulkheadMaxConcurrent())
                    .queueSize(policy.bulkheadQueueSize())
                    .done()
                .build();
        metrics.hostGauges(host, inflight::get, () -> stateCode(breakerState));
    }

    public String host() {
        return host;
    }

    public HostPolicy policy() {
        return policy;
    }

    /**
     * Terminates through this host's protections. Fails with a {@link VapiException} for every
     * definite answer, or the raw transport failure / timeout.
     *
     * @param deadlineAtNanos {@link System#nanoTime()} after which no new attempt may start
     */
    public Uni<Void> terminate(TerminateCommand command, TerminateTrace trace, long deadlineAtNanos) {
        return Uni.createFrom().deferred(() -> {
            String vmKey = host + '/' + command.vm();
            OptionalLong coolingFor = cooldown.remaining(vmKey);
            if (coolingFor.isPresent()) {
                metrics.cooldownRejection(host);
                return Uni.createFrom().failure(coolingDown(command.vm(), coolingFor.getAsLong()));
            }
            budget.onRequest();
            inflight.incrementAndGet();
            AtomicInteger attempts = new AtomicInteger();
            // set once this request's guarded call is over (answered, timed out while queued, cancelled):
            // an attempt the bulkhead starts later must not reach the host, or a stale kill could hit a
            // pid the caller has meanwhile re-sent for (and which may have been re-used)
            AtomicBoolean over = new AtomicBoolean();
            // attempts may run on a fault-tolerance timer thread after a backoff: keep the request's trace
            Context parent = Context.current();
            return guard.get(() -> attempt(command, vmKey, trace, attempts, deadlineAtNanos, parent, over))
                    .onFailure().transform(this::unwrap)
                    .onTermination().invoke(() -> {
                        over.set(true);
                        inflight.decrementAndGet();
                    });
        });
    }

    private Uni<Void> attempt(TerminateCommand command, String vmKey, TerminateTrace trace,
            AtomicInteger attempts, long deadlineAtNanos, Context parent, AtomicBoolean over) {
        return Uni.createFrom().deferred(() -> {
            if (over.get()) {
                // started by the bulkhead after the request's call had already ended: never call the host
                return Uni.createFrom().failure(new AttemptFailure(abandoned(), false, false));
            }
            if (System.nanoTime() - deadlineAtNanos >= 0) {
                // the request's deadline has passed: never call the host again for it
                return Uni.createFrom().failure(new AttemptFailure(deadlineExceeded(), false, false));
            }
            int attempt = attempts.incrementAndGet();
            trace.attemptStarted();
            Span span = tracer.spanBuilder("terminate attempt " + host)
                    .setParent(parent)
                    .setSpanKind(SpanKind.CLIENT)
                    .setAttribute("guestops.host", host)
                    .setAttribute("guestops.host.type", client.type().name().toLowerCase())
                    .setAttribute("guestops.vm", command.vm())
                    .setAttribute("guestops.attempt", attempt)
                    .startSpan();
            return client.terminate(command.vm(), command.pid(), command.credentials())
                    // the attempt's own timeout (it cancels the host call, so its connection is freed and
                    // it is counted once, as a timeout); the guard's timeout below is only a backstop
                    .ifNoItem().after(policy.attemptTimeout()).failWith(() -> new java.util.concurrent.TimeoutException(
                            "Host " + host + " did not answer within " + policy.attemptTimeout()))
                    .onItem().invoke(() -> {
                        metrics.attempt(host, "success");
                        cooldown.recordOther(vmKey);
                        span.setStatus(StatusCode.OK);
                    })
                    .onFailure().transform(f -> {
                        span.setStatus(StatusCode.ERROR, f instanceof VapiException v ? v.type().wireName() : f.getClass().getSimpleName());
                        return classify(f, attempt, vmKey, deadlineAtNanos);
                    })
                    .onTermination().invoke(span::end);
        });
    }

    /** The one place where a failed attempt is judged: retry it? count it against the breaker? */
    private AttemptFailure classify(Throwable failure, int attempt, String vmKey, long deadlineAtNanos) {
        if (failure instanceof VapiException vapi) {
            metrics.attempt(host, vapi.type().wireName());
            boolean breakerFailure = false;
            if (vapi.type() == ErrorType.SERVICE_UNAVAILABLE && vapi.source() == ErrorSource.HOST) {
                // the host answered for one guest (Tools not running): counted once per streak
                breakerFailure = cooldown.recordUnavailable(vmKey) == 1;
            } else if (vapi.type() == ErrorType.SERVICE_UNAVAILABLE) {
                // made by the gateway about the host itself (login refused, proxy 503): always a failure
                breakerFailure = true;
            } else if (vapi.source() == ErrorSource.HOST) {
                cooldown.recordOther(vmKey);
            }
            boolean retry = vapi.type() == ErrorType.RESOURCE_BUSY && mayRetry(attempt, deadlineAtNanos);
            return new AttemptFailure(failure, retry, breakerFailure);
        }
        if (HostFailures.isTransport(failure)) {
            metrics.attempt(host, HostFailures.isTimeout(failure) ? "timeout" : "transport_error");
            boolean retry = HostFailures.isConnectionRefused(failure) && mayRetry(attempt, deadlineAtNanos);
            return new AttemptFailure(failure, retry, true);
        }
        metrics.attempt(host, "error");
        return new AttemptFailure(failure, false, false);
    }

    private boolean mayRetry(int attempt, long deadlineAtNanos) {
        if (attempt > policy.maxRetries() || System.nanoTime() - deadlineAtNanos >= 0) {
            return false;
        }
        if (!budget.tryAcquireRetry()) {
            metrics.retryBudgetExhausted(host);
            return false;
        }
        return true;
    }

    private static boolean countsAgainstBreaker(Throwable t) {
        return t instanceof AttemptFailure af ? af.breakerFailure : t instanceof TimeoutException;
    }

    private Throwable unwrap(Throwable t) {
        if (t instanceof AttemptFailure af) {
            return af.getCause();
        }
        if (t instanceof CircuitBreakerOpenException) {
            long retryAfter = retryAfterSeconds();
            return new VapiException(VapiError.of(ErrorType.SERVICE_UNAVAILABLE, CIRCUIT_OPEN,
                    "Host " + host + " is failing; calls to it are suspended for " + retryAfter + " s.", host),
                    ErrorSource.GATEWAY, Map.of("Retry-After", Long.toString(retryAfter)));
        }
        if (t instanceof BulkheadException) {
            return VapiException.gateway(ErrorType.RESOURCE_BUSY, BULKHEAD_FULL,
                    "Too many requests to host " + host + " are in progress.", host);
        }
        return t;
    }

    private VapiException coolingDown(String vm, long remainingNanos) {
        long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(remainingNanos + 999_999_999L));
        return new VapiException(VapiError.of(ErrorType.SERVICE_UNAVAILABLE, VM_COOLDOWN,
                "VMware Tools is not running in the guest of " + vm + "; not retrying for " + seconds + " s.", vm),
                ErrorSource.GATEWAY, Map.of("Retry-After", Long.toString(seconds)));
    }

    private static VapiException abandoned() {
        return VapiException.gateway(ErrorType.SERVICE_UNAVAILABLE, HostFailures.HOST_TIMEOUT,
                "The request's call to the host ended before this attempt could start; it was not sent.");
    }

    public static VapiException deadlineExceeded() {
        return VapiException.gateway(ErrorType.SERVICE_UNAVAILABLE, DEADLINE_EXCEEDED,
                "The request's deadline passed before the host answered; the process may or may not have been terminated.");
    }

    /** Seconds until the open breaker lets a probe through (at least 1). */
    long retryAfterSeconds() {
        long elapsed = System.nanoTime() - openedAtNanos;
        long left = policy.breakerDelay().toNanos() - elapsed;
        return Math.max(1, TimeUnit.NANOSECONDS.toSeconds(left + 999_999_999L));
    }

    private void breakerChanged(CircuitBreakerState state) {
        if (state == CircuitBreakerState.OPEN) {
            openedAtNanos = System.nanoTime();
        }
        breakerState = state;
    }

    public CircuitBreakerState breakerState() {
        return breakerState;
    }

    public int inflight() {
        return inflight.get();
    }

    private static int stateCode(CircuitBreakerState state) {
        return switch (state) {
            case CLOSED -> 0;
            case OPEN -> 1;
            case HALF_OPEN -> 2;
        };
    }

    /** Test hook: empties the retry budget window. */
    void resetBudget() {
        budget.reset();
    }

    void markClosed() {
        breakerState = CircuitBreakerState.CLOSED;
    }
}
