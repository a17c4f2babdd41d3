package com.guestops.gateway.terminate;

import com.guestops.gateway.config.GatewayConfig;
import com.guestops.gateway.error.ErrorSource;
import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.error.GatewayMessages;
import com.guestops.gateway.error.VapiError;
import com.guestops.gateway.error.VapiException;
import com.guestops.gateway.host.ProcessInfo;
import com.guestops.gateway.resilience.ContextExecutor;
import com.guestops.gateway.resilience.Deadline;
import com.guestops.gateway.routing.HostDirectory;
import com.guestops.gateway.routing.Route;
import com.guestops.gateway.security.CallerScope;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.smallrye.mutiny.subscription.UniSubscriber;
import io.smallrye.mutiny.subscription.UniSubscription;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.function.BiFunction;
import org.jboss.logging.Logger;

/**
 * The use case: check the caller's scope, route a validated command to the host that owns the VM, call
 * it through that host's guard, and turn whatever happened into either success or a
 * {@link VapiException}, by one overall {@link Deadline}.
 *
 * <p>The deadline answers the caller; it does not cut the work short. An attempt already at the host
 * runs to its own timeout (cutting it would not undo the kill, only hide its result); no new attempt
 * starts after the deadline. The request's {@link TerminateTrace} settles when the work is over, so
 * the audit records what really happened beside what the caller was told.
 *
 * <p>The same path serves the process lookup ({@link #process}) and the conditional delete: with an
 * {@code If-Match}, the process is looked up first and killed only if it is still the one the caller saw
 * ({@link ProcessTag}); otherwise nothing is killed and the answer is {@code concurrent_change}. Without one, the
 * delete is exactly the unconditional kill it always was: one host call, no lookup.
 */
@Singleton // called on every request: no client proxy in between (a context look-up per call)
public class TerminateService {

    private static final Logger LOG = Logger.getLogger(TerminateService.class);

    private final HostDirectory directory;
    private final CallerScope scope;
    private final Vertx vertx;
    private final Duration defaultDeadline;

    @Inject
    public TerminateService(HostDirectory directory, CallerScope scope, GatewayConfig config, Vertx vertx) {
        this.directory = directory;
        this.scope = scope;
        this.vertx = vertx;
        this.defaultDeadline = config.resilience().deadline();
    }

    /** The caller's answer: by the deadline at the latest. The work itself is already running. */
    public Uni<Void> terminate(TerminateCommand command, TerminateTrace trace) {
        // the command's toString() shows the credentials redacted (Secret prints ****) and the caller's subject
        LOG.debugf("Terminating: %s", command);
        return run(command, trace, (route, deadline) -> kill(route, command, trace, deadline));
    }

    /** The process lookup ("get"): what holds the pid now, and its ETag. By the deadline at the latest. */
    public Uni<ProcessView> process(TerminateCommand command, TerminateTrace trace) {
        LOG.debugf("Looking up: %s", command);
        return run(command, trace, (route, deadline) -> route.host().process(command.vm(), command.pid(),
                command.credentials(), deadline, trace).map(info -> new ProcessView(info, ProcessTag.of(command.vm(), command.pid(), info.started()))));
    }

    private <T> Uni<T> run(TerminateCommand command, TerminateTrace trace, BiFunction<Route, Deadline, Uni<T>> onHost) {
        Duration length = command.requestedDeadline().filter(d -> d.compareTo(defaultDeadline) < 0).orElse(defaultDeadline);
        Deadline deadline = Deadline.start(vertx, trace.startNanos(), length);
        CallerAnswer<T> answer = new CallerAnswer<>(command, trace, deadline, Vertx.currentContext());
        deadline.whenPassed(answer::deadlinePassed);
        trace.workStarted();
        // started here and run to its end, whatever the caller does meanwhile: nothing cancels this subscription
        route(command, trace, deadline, onHost).subscribe().withSubscriber(answer);
        return Uni.createFrom().<T>emitter(answer::answerTo);
    }

    /**
     * The caller's answer: the first of the work's end and the deadline, delivered on the request's Vert.x context.
     * The work settles (its deadline cancelled, its trace settled) before its answer goes out, so the answer's audit
     * line finds nothing still running. The work is started once, in {@link #run}; every subscriber of the answer
     * gets its outcome (the endpoint subscribes once; a later subscriber gets it at once).
     *
     * <p>One subscriber where a completion stage, two stages depending on it, an emitter racing the deadline and a hop
     * back to the request's context did the same (bench/HISTORY.md, what changed on 2026-12-05 evening).
     */
    private static final class CallerAnswer<T> implements UniSubscriber<T> {

        private final TerminateCommand command;
        private final TerminateTrace trace;
        private final Deadline deadline;
        private final Context context;
        // guarded by this: the first outcome, and who waits for it (the caller; rarely anyone else)
        private boolean decided;
        private T item;
        private Throwable failure;
        private UniEmitter<? super T> waiting;
        private List<UniEmitter<? super T>> alsoWaiting;

        CallerAnswer(TerminateCommand command, TerminateTrace trace, Deadline deadline, Context context) {
            this.command = command;
            this.trace = trace;
            this.deadline = deadline;
            this.context = context;
        }

        @Override
        public void onSubscribe(UniSubscription subscription) {
            // kept by nobody: the work is never cancelled
        }

        @Override
        public void onItem(T result) {
            try {
                settle();
            } finally {
                decide(result, null); // a caller is answered whatever went wrong settling
            }
        }

        @Override
        public void onFailure(Throwable f) {
            VapiException answer = answer(command, trace, f);
            try {
                settle();
            } finally {
                decide(null, answer);
            }
        }

        private void settle() {
            try {
                deadline.cancel();
                trace.settle();
            } catch (RuntimeException e) {
                // not thrown back at the host client or the guard that completed the work
                LOG.error("Could not settle a request's work", e);
            }
        }

        /** The deadline passed first: the caller is answered now; the work goes on to its end. */
        void deadlinePassed() {
            decide(null, deadlineExceeded(trace));
        }

        void answerTo(UniEmitter<? super T> caller) {
            synchronized (this) {
                if (!decided) {
                    if (waiting == null) {
                        waiting = caller;
                    } else {
                        if (alsoWaiting == null) {
                            alsoWaiting = new ArrayList<>(2);
                        }
                        alsoWaiting.add(caller);
                    }
                    return;
                }
            }
            deliver(caller);
        }

        private void decide(T result, Throwable f) {
            UniEmitter<? super T> caller;
            List<UniEmitter<? super T>> others;
            synchronized (this) {
                if (decided) {
                    return; // the first of the two answers the caller; the other is ignored
                }
                decided = true;
                item = result;
                failure = f;
                caller = waiting;
                others = alsoWaiting;
                waiting = null;
                alsoWaiting = null;
            }
            if (caller != null) {
                deliver(caller);
            }
            if (others != null) {
                others.forEach(this::deliver);
            }
        }

        private void deliver(UniEmitter<? super T> caller) {
            ContextExecutor.run(context, failure == null ? () -> caller.complete(item) : () -> caller.fail(failure));
        }
    }

    private <T> Uni<T> route(TerminateCommand command, TerminateTrace trace, Deadline deadline, BiFunction<Route, Deadline, Uni<T>> onHost) {
        // scoping rules: the VM pattern before routing (and so before any discovery), the host in call()
        return Uni.createFrom().deferred(() -> {
                    scope.checkVm(command.caller(), command.vm());
                    return directory.resolve(command.vm(), deadline);
                })
                .chain(route -> call(route, command, trace, deadline, onHost)
                        // a discovered owner that says the VM itself is not there: it moved (vMotion).
                        // That host definitively did nothing, so asking the new owner is not a retry.
                        .onFailure(f -> route.discovered() && vmNotFound(f)).recoverWithUni(f -> {
                            LOG.infof("VM %s is no longer on host %s; looking for its new owner", command.vm(),
                                    route.host().name());
                            directory.invalidate(command.vm());
                            return directory.resolve(command.vm(), deadline).chain(next -> next.host() == route.host()
                                    ? Uni.createFrom().failure(f)
                                    : call(next, command, trace, deadline, onHost));
                        }));
    }

    private <T> Uni<T> call(Route route, TerminateCommand command, TerminateTrace trace, Deadline deadline,
            BiFunction<Route, Deadline, Uni<T>> onHost) {
        // every host about to be called must be in the caller's scope, the new owner of a moved VM too;
        // a denial is the gateway's unauthorized answer and no call to that host
        scope.checkHost(command.caller(), command.vm(), route.host().name());
        trace.host(route.host().name());
        if (deadline.passed()) {
            return Uni.createFrom().failure(deadlineExceeded(trace)); // found the owner too late: do not start
        }
        return onHost.apply(route, deadline);
    }

    private Uni<Void> kill(Route route, TerminateCommand command, TerminateTrace trace, Deadline deadline) {
        Optional<Precondition> precondition = command.precondition();
        if (precondition.isEmpty()) {
            // vCenter's delete: whatever holds the pid now, one host call (the hot path: nothing added)
            return route.host().terminate(command.vm(), command.pid(), command.credentials(), deadline, trace);
        }
        return route.host().process(command.vm(), command.pid(), command.credentials(), deadline, trace)
                .chain(info -> {
                    check(command, precondition.get(), info);
                    trace.preconditionHeld();
                    if (deadline.passed()) {
                        return Uni.createFrom().failure(deadlineExceeded(trace));
                    }
                    // from here to the kill the guest could still give the pid to another process: the window
                    // is this host's round trip (docs/api.md, "Safe kill"), no longer the caller's retry interval
                    return route.host().terminate(command.vm(), command.pid(), command.credentials(), deadline, trace);
                });
    }

    /** Kill only what the caller saw: a live process, and for a tag list, the one the tags name. */
    private static void check(TerminateCommand command, Precondition precondition, ProcessInfo info) {
        if (info.ended()) {
            throw new VapiException(VapiError.of(ErrorType.NOT_FOUND, GatewayMessages.PROCESS_ENDED,
                    "Process " + command.pid() + " has already ended; nothing was terminated.",
                    Long.toString(command.pid())).withData(Map.of("pid", command.pid())), ErrorSource.GATEWAY);
        }
        if (precondition.anyProcess()) {
            return;
        }
        String current = ProcessTag.of(command.vm(), command.pid(), info.started());
        if (precondition.entityTags().contains(current)) {
            return;
        }
        // what changed: with a tag of ours for this pid, its start time; else the tag names another process
        Optional<Instant> seen = precondition.entityTags().stream().map(ProcessTag::startOf).flatMap(Optional::stream)
                .findFirst();
        Instant now = info.started();
        boolean restarted = seen.isPresent() && !seen.get().equals(now.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("pid", command.pid());
        data.put("changed", restarted ? "started" : "process");
        if (restarted) {
            data.put("expected_started", seen.get().toString());
        }
        data.put("started", now.toString());
        data.put("etag", current);
        String text = restarted
                ? "Process " + command.pid() + " in virtual machine " + command.vm() + " is not the one If-Match names: that"
                        + " one started at " + seen.get() + ", the process holding the pid now started at " + now
                        + "; nothing was terminated."
                : "Process " + command.pid() + " in virtual machine " + command.vm() + " is not the one If-Match names"
                        + " (the entity-tag names another process, VM or pid); nothing was terminated.";
        throw new VapiException(VapiError.of(ErrorType.CONCURRENT_CHANGE, GatewayMessages.PROCESS_CHANGED, text,
                Long.toString(command.pid()), command.vm()).withData(data), ErrorSource.GATEWAY);
    }

    private static VapiException answer(TerminateCommand command, TerminateTrace trace, Throwable failure) {
        Throwable f = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        VapiException answer;
        if (f instanceof VapiException vapi) {
            answer = vapi;
        } else {
            LOG.errorf(f, "Unexpected failure terminating on host %s", trace.host());
            answer = VapiException.gateway(ErrorType.ERROR, GatewayMessages.INTERNAL_ERROR,
                    "The gateway failed to process the request.");
        }
        LOG.debugf("vm %s pid %d on host %s: %s after %d attempt(s)", command.vm(), command.pid(), trace.host(),
                answer.getMessage(), trace.attempts());
        return answer;
    }

    /** The caller's answer when the deadline passes first; honest about whether the kill may have happened. */
    static VapiException deadlineExceeded(TerminateTrace trace) {
        String outcome = trace.mayHaveHappened()
                ? "before the host answered; the process may or may not have been terminated."
                : trace.lookingUp()
                        ? "before the host answered the process lookup; nothing was terminated."
                        : "before the host could be called; the process was not terminated.";
        return VapiException.gateway(ErrorType.SERVICE_UNAVAILABLE, GatewayMessages.DEADLINE_EXCEEDED,
                "The request's deadline passed " + outcome);
    }

    /** The host's {@code not_found} is about the VM, not the pid (a missing pid carries {@code data.pid}). */
    private static boolean vmNotFound(Throwable f) {
        return f instanceof VapiException v && v.source() == ErrorSource.HOST && v.type() == ErrorType.NOT_FOUND
                && (v.error().data() == null || !v.error().data().containsKey("pid"));
    }
}
