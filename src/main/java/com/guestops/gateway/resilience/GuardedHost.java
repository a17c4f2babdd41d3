package com.guestops.gateway.resilience;

import com.guestops.gateway.config.HostPolicy;
import com.guestops.gateway.config.HostType;
import com.guestops.gateway.config.NanoClock;
import com.guestops.gateway.error.VapiException;
import com.guestops.gateway.host.GuestCredentials;
import com.guestops.gateway.host.HostClient;
import com.guestops.gateway.host.HostClient.HostCall;
import com.guestops.gateway.host.HostClient.Ownership;
import com.guestops.gateway.host.ProcessInfo;
import com.guestops.gateway.resilience.AttemptClassifier.Operation;
import com.guestops.gateway.metrics.GatewayMetrics;
import com.guestops.gateway.resilience.AttemptClassifier.Verdict;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.Guard;
import io.smallrye.faulttolerance.api.TypedGuard;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.util.TypeLiteral;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.jboss.logging.Logger;

/**
 * A host and everything that protects it and its callers, as the client class carries the fault
 * tolerance around the client it wraps: per-VM cool-down, then a SmallRye {@link Guard} built
 * once for this host (retry outside circuit breaker outside bulkhead; SmallRye's fixed order), the
 * retry budget, and a small bulkhead of its own for ownership lookups. Kills and process lookups go
 * through the same guard (one breaker, one bulkhead, one budget per host); what may be retried differs
 * ({@link AttemptClassifier.Operation}), and each counts in its own metrics. This is what the registry holds
 * and routing returns; callers never see the guard.
 *
 * <p>Input the host's protocol cannot carry is refused before any of it, and is never an attempt.
 * Each attempt is bounded by the host's attempt timeout (enforced by the client, which frees the
 * connection); no attempt starts after the request's {@link Deadline}. Every attempt's outcome is judged
 * by the {@link AttemptClassifier} and told to the request's {@link AttemptListener}.
 */
public final class GuardedHost {

    private static final Logger LOG = Logger.getLogger(GuardedHost.class);

    private final HostClient client;
    private final HostPolicy policy;
    private final String breakerName;
    private static final TypeLiteral<Uni<Void>> KILL = new TypeLiteral<>() { };
    private static final TypeLiteral<Uni<ProcessInfo>> READ = new TypeLiteral<>() { };

    private final Guard guard;
    private final TypedGuard<Uni<Ownership>> lookupSlots;
    private final RetryBudget budget;
    private final VmCooldown cooldown;
    private final GatewayMetrics metrics;
    private final CircuitBreakerMaintenance breakers;
    private final Tracer tracer;
    private final NanoClock clock;
    private final AtomicInteger inflight = new AtomicInteger();
    private final String attemptSpanName;
    private final String lookupSpanName;
    private final String typeTag;
    private volatile long openedAtNanos;
    /** Less time than this left when a lookup's turn comes: not worth sending (a tenth of lookup-timeout, at most 100 ms). */
    private final long minimumLookupNanos;

    GuardedHost(HostClient client, HostPolicy policy, VmCooldown cooldown, GatewayMetrics metrics,
            CircuitBreakerMaintenance breakers, Tracer tracer, NanoClock clock) {
        this.client = client;
        this.policy = policy;
        this.cooldown = cooldown;
        this.metrics = metrics;
        this.breakers = breakers;
        this.tracer = tracer;
        this.clock = clock;
        this.breakerName = "host-" + client.name();
        this.attemptSpanName = "terminate attempt " + client.name();
        this.lookupSpanName = "process lookup attempt " + client.name();
        this.typeTag = client.type().name().toLowerCase(Locale.ROOT);
        this.budget = new RetryBudget(policy.retryBudgetRatio(), policy.retryBudgetMinConcurrent());
        this.minimumLookupNanos = Math.min(Duration.ofMillis(100).toNanos(), policy.lookupTimeout().toNanos() / 10);
        long retryDelay = policy.retryDelay().toMillis();
        // no description: SmallRye's own ft_* series would duplicate the guestops_host_* ones
        this.guard = Guard.create()
                .withRetry()
                    .maxRetries(policy.maxRetries())
                    .delay(retryDelay, ChronoUnit.MILLIS)
                    .jitter(policy.retryJitter().toMillis(), ChronoUnit.MILLIS)
                    // the request's deadline bounds retries (checked per attempt), not a duration of SmallRye's
                    .maxDuration(1, ChronoUnit.DAYS)
                    .whenException(t -> t instanceof AttemptFailure af && af.retry)
                    .withExponentialBackoff()
                        .factor(2)
                        .maxDelay(Math.max(policy.retryMaxDelay().toMillis(), retryDelay + 1), ChronoUnit.MILLIS)
                        .done()
                    .done()
                .withCircuitBreaker()
                    .name(breakerName)
                    .requestVolumeThreshold(policy.breakerRequestVolume())
                    .failureRatio(policy.breakerFailureRatio())
                    .delay(policy.breakerDelay().toMillis(), ChronoUnit.MILLIS)
                    .successThreshold(policy.breakerHalfOpenProbes())
                    .when(t -> t instanceof AttemptFailure af && af.breakerFailure)
                    .done()
                .withBulkhead()
                    .limit(policy.bulkheadMaxConcurrent())
                    .queueSize(policy.bulkheadQueueSize())
                    .done()
                // SmallRye would hand each call and each completion to the caller's event loop as a queued task with
                // the thread's contexts captured and restored (two round trips per attempt, measured); the attempt
                // moves itself onto its request's context instead, at once when it already runs there (onContext)
                .withThreadOffload(true)
                .withThreadOffloadExecutor(Runnable::run)
                .build();
        // the state itself is read from SmallRye; only the moment it opened is ours (Retry-After). Told through the
        // breaker's name, once: a callback given to the guard's builder is registered anew in every call's context
        breakers.onStateChange(breakerName, state -> {
            if (state == CircuitBreakerState.OPEN) {
                openedAtNanos = clock.nanoTime();
            }
        });
        this.lookupSlots = TypedGuard.create(new TypeLiteral<Uni<Ownership>>() { })
                .withBulkhead()
                    .limit(policy.lookupConcurrency())
                    .queueSize(policy.lookupQueue())
                    .done()
                .build();
        metrics.hostGauges(client.name(), inflight::get, () -> stateCode(breakerState()));
    }

    public String name() {
        return client.name();
    }

    public HostType type() {
        return client.type();
    }

    public HostPolicy policy() {
        return policy;
    }

    /** The breaker's state, as SmallRye has it. */
    public CircuitBreakerState breakerState() {
        return breakers.currentState(breakerName);
    }

    /**
     * Terminates through this host's protections. Fails with a {@link VapiException} for every outcome
     * other than success: the host's answer, or the gateway's own (input refused, cooling down, breaker
     * open, bulkhead full, deadline passed, or what the classifier made of a failure without an answer).
     */
    public Uni<Void> terminate(String vm, long pid, GuestCredentials credentials, Deadline deadline, AttemptListener listener) {
        return Uni.createFrom().deferred(() -> {
            HostCall<Void> call = client.terminate(vm, pid, credentials); // an input refusal throws here: no attempt
            return guarded(vm, call, Operation.KILL, KILL, deadline, listener);
        });
    }

    /**
     * Looks the process up ("vcenter vm guest processes: get") through the same protections as the kill: the
     * VM's cool-down, this host's breaker, bulkhead and retry budget, the request's deadline. Unlike a kill, a
     * lookup that timed out or lost its connection is retried ({@link AttemptClassifier}).
     */
    public Uni<ProcessInfo> process(String vm, long pid, GuestCredentials credentials, Deadline deadline,
            AttemptListener listener) {
        return Uni.createFrom().deferred(() -> {
            HostCall<ProcessInfo> call = client.process(vm, pid, credentials); // an input refusal throws here: no attempt
            return guarded(vm, call, Operation.READ, READ, deadline, listener);
        });
    }

    private <T> Uni<T> guarded(String vm, HostCall<T> call, Operation operation, TypeLiteral<Uni<T>> type,
            Deadline deadline, AttemptListener listener) {
        String vmKey = name() + '/' + vm;
        OptionalLong coolingFor = cooldown.remaining(vmKey);
        if (coolingFor.isPresent()) {
            metrics.cooldownRejection(name());
            return Uni.createFrom().failure(GuardAnswers.coolingDown(vm, coolingFor.getAsLong()));
        }
        Request request = new Request(vm, vmKey, operation, deadline, listener, Vertx.currentContext(),
                io.opentelemetry.context.Context.current());
        budget.requestStarted();
        inflight.incrementAndGet();
        return guard.get(() -> attempt(call, request), type)
                .onFailure().transform(this::unwrap)
                .onTermination().invoke(() -> {
                    request.releaseRetry();
                    budget.requestEnded();
                    inflight.decrementAndGet();
                });
    }

    /** What one request keeps across its attempts. */
    private final class Request {
        final String vm;
        final String vmKey;
        final Operation operation;
        final Deadline deadline;
        final AttemptListener listener;
        final Context vertxContext;
        final io.opentelemetry.context.Context traceContext;
        final AtomicInteger attempts = new AtomicInteger();
        private boolean retryHeld;

        Request(String vm, String vmKey, Operation operation, Deadline deadline, AttemptListener listener, Context vertxContext,
                io.opentelemetry.context.Context traceContext) {
            this.vm = vm;
            this.vmKey = vmKey;
            this.operation = operation;
            this.deadline = deadline;
            this.listener = listener;
            this.vertxContext = vertxContext;
            this.traceContext = traceContext;
        }

        synchronized boolean takeRetry() {
            retryHeld = budget.tryStartRetry();
            return retryHeld;
        }

        /** The granted retry has run (or will not run): it no longer counts as in flight. */
        synchronized void releaseRetry() {
            if (retryHeld) {
                retryHeld = false;
                budget.retryEnded();
            }
        }
    }

    /**
     * Whether a request's attempts get spans: only as children of its own sampled span. Not when that span was
     * created and not sampled (the sampler would decide the same for them), and not when there is none: tracing is
     * off (the default, SDK disabled), and a span started there would be a root span nobody asked for, paid on every
     * attempt (ids, attributes; measured, bench/HISTORY.md).
     */
    static boolean attemptsTraced(io.opentelemetry.context.Context traceContext) {
        SpanContext request = Span.fromContext(traceContext).getSpanContext();
        return request.isValid() && request.isSampled();
    }

    private <T> Uni<T> attempt(HostCall<T> call, Request request) {
        // the guard starts an attempt wherever it is: the request's thread, a retry's timer, a bulkhead slot freed by
        // another request; the attempt itself (its logs, its trace, its connection) belongs to the request's context
        return Uni.createFrom().<T>emitter(outcome ->
                ContextExecutor.run(request.vertxContext, () -> start(call, request, outcome)));
    }

    /**
     * One attempt and its accounting, told to {@code outcome} on the request's context. Written as one emitter and two
     * callbacks rather than an operator per step (subscribe on the context, defer, hop back, transform): a few objects
     * and no context switches per attempt instead of a dozen (bench/HISTORY.md, what changed on 2026-12-05 evening).
     * Whatever is thrown in here (an error too) fails the attempt: an outcome never told would hold its bulkhead slot
     * for good.
     */
    private <T> void start(HostCall<T> call, Request request, UniEmitter<? super T> outcome) {
        Throwable failure;
        try {
            if (request.deadline.passed()) {
                // started by a retry or the bulkhead after the request's deadline: never call the host
                request.releaseRetry();
                failure = new AttemptFailure(GuardAnswers.deadlinePassedBeforeTheCall(), false, false);
            } else {
                int attempt = request.attempts.incrementAndGet();
                request.listener.attemptStarted(name());
                Span span = attemptsTraced(request.traceContext) ? tracer.spanBuilder(request.operation == Operation.KILL ? attemptSpanName : lookupSpanName)
                        .setParent(request.traceContext)
                        .setSpanKind(SpanKind.CLIENT)
                        .setAttribute("guestops.host", name())
                        .setAttribute("guestops.host.type", typeTag)
                        .setAttribute("guestops.vm", request.vm)
                        .setAttribute("guestops.attempt", attempt)
                        .startSpan() : Span.getInvalid();
                // an attempt may complete on another request's context (a shared login) or a connection's event loop
                Context context = request.vertxContext;
                call.attempt(policy.attemptTimeout()).subscribe().with(
                        item -> ContextExecutor.run(context, () -> succeeded(request, span, item, outcome)),
                        f -> ContextExecutor.run(context, () -> failed(request, span, attempt, f, outcome)));
                return;
            }
        } catch (Throwable t) {
            request.releaseRetry();
            failure = t;
        }
        outcome.fail(failure);
    }

    private <T> void succeeded(Request request, Span span, T item, UniEmitter<? super T> outcome) {
        try {
            request.releaseRetry();
            span.setStatus(StatusCode.OK);
            span.end();
            countAttempt(request, "success");
            cooldown.recordOther(request.vmKey);
            request.listener.attemptEnded(name(), "success", request.operation == Operation.KILL);
        } catch (Throwable t) {
            // the host did it: the caller is told so, whatever went wrong counting it
            LOG.error("Could not account for a successful attempt on host " + name(), t);
        }
        outcome.complete(item);
    }

    private <T> void failed(Request request, Span span, int attempt, Throwable failure, UniEmitter<? super T> outcome) {
        Throwable judged;
        try {
            request.releaseRetry();
            Verdict verdict = AttemptClassifier.classify(failure, request.operation);
            span.setStatus(StatusCode.ERROR, verdict.result());
            span.end();
            judged = judge(verdict, attempt, request);
        } catch (Throwable t) {
            judged = t;
        }
        outcome.fail(judged);
    }

    /** The verdict, with what depends on state: the VM's streak, attempts left, the deadline, the budget. */
    private AttemptFailure judge(Verdict verdict, int attempt, Request request) {
        countAttempt(request, verdict.result());
        boolean breakerFailure = verdict.breakerFailure();
        switch (verdict.vm()) {
            // a VM's repeated Tools-not-running answers count once against the host
            case TOOLS_DOWN -> breakerFailure = cooldown.recordUnavailable(request.vmKey) == 1;
            case ANSWERED -> cooldown.recordOther(request.vmKey);
            case NONE -> { }
        }
        request.listener.attemptEnded(name(), verdict.result(), verdict.mayHaveHappened());
        boolean retry = false;
        if (verdict.retryable() && attempt <= policy.maxRetries() && !request.deadline.passed()) {
            retry = request.takeRetry();
            if (retry) {
                metrics.retry(name());
            } else {
                metrics.retryBudgetExhausted(name());
            }
        }
        return new AttemptFailure(verdict.callerError(), retry, breakerFailure);
    }

    /** Kills and lookups count apart: an alert on failed kills must not fire for lookups, nor hide among them. */
    private void countAttempt(Request request, String result) {
        if (request.operation == Operation.KILL) {
            metrics.attempt(name(), result);
        } else {
            metrics.processLookupAttempt(name(), result);
        }
    }

    /**
     * Discovery: does this host own the VM? At most {@code lookup-concurrency} lookups run at once (on
     * connections of their own); a waiting lookup is not sent when, by the time its turn comes, nobody
     * wants its answer any more or its time is up. Never touches the host's breaker.
     *
     * @param deadlineNanos {@link System#nanoTime()} by which the answer is needed
     * @param wanted        whether anyone still waits for the answer
     */
    public Uni<Ownership> lookup(String vm, long deadlineNanos, BooleanSupplier wanted) {
        return Uni.createFrom().deferred(() -> lookupSlots.get(() -> Uni.createFrom().deferred(() -> {
            long left = deadlineNanos - System.nanoTime();
            // a lookup whose slot came too late to be answered in time is not sent either
            if (!wanted.getAsBoolean() || left < minimumLookupNanos) {
                return Uni.createFrom().failure(new LookupNotSent());
            }
            return client.lookup(vm, Duration.ofNanos(left));
        })));
    }

    /** A lookup that was not sent: nobody waited for it any more, or its slot came too late. */
    public static final class LookupNotSent extends RuntimeException {
        LookupNotSent() {
            super("lookup not sent", null, false, false);
        }
    }

    /** Ends the service-account session (shutdown); bounded by the client's logout timeout. */
    public Uni<Void> logout() {
        return client.logout();
    }

    public void close() {
        client.close();
    }

    /** The guard's own answers (breaker open, bulkhead full) in the vAPI shape; an attempt's failure as judged. */
    private Throwable unwrap(Throwable t) {
        if (t instanceof AttemptFailure af) {
            return af.answer;
        }
        if (t instanceof CircuitBreakerOpenException) {
            return GuardAnswers.circuitOpen(name(), retryAfterSeconds());
        }
        if (t instanceof BulkheadException) {
            return GuardAnswers.bulkheadFull(name());
        }
        return t;
    }

    /** Seconds until the open breaker lets a probe through (at least 1). */
    private long retryAfterSeconds() {
        long left = policy.breakerDelay().toNanos() - (clock.nanoTime() - openedAtNanos);
        return Math.max(1, TimeUnit.NANOSECONDS.toSeconds(left + 999_999_999L));
    }

    private static int stateCode(CircuitBreakerState state) {
        return switch (state) {
            case CLOSED -> 0;
            case OPEN -> 1;
            case HALF_OPEN -> 2;
        };
    }
}
