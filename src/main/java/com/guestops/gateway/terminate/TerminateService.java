package com.guestops.gateway.terminate;

import com.guestops.gateway.config.GatewayConfig;
import com.guestops.gateway.error.ErrorSource;
import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.error.GatewayMessages;
import com.guestops.gateway.error.VapiException;
import com.guestops.gateway.resilience.Deadline;
import com.guestops.gateway.routing.HostDirectory;
import com.guestops.gateway.routing.Route;
import com.guestops.gateway.security.CallerScope;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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
 */
@ApplicationScoped
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
        Duration length = command.requestedDeadline().filter(d -> d.compareTo(defaultDeadline) < 0).orElse(defaultDeadline);
        Deadline deadline = Deadline.start(vertx, trace.startNanos(), length);
        Context context = Vertx.currentContext();
        trace.workStarted();
        // started here and run to its end, whatever the caller does meanwhile
        CompletableFuture<Void> work = route(command, trace, deadline).subscribeAsCompletionStage();
        work.whenComplete((ok, failure) -> {
            deadline.cancel();
            trace.settle();
        });
        Uni<Void> answer = Uni.createFrom().emitter(emitter -> {
            work.whenComplete((ok, failure) -> {
                if (failure == null) {
                    emitter.complete(null);
                } else {
                    emitter.fail(answer(command, trace, failure));
                }
            });
            // the first of the two answers the caller; the other is ignored
            deadline.whenPassed(() -> emitter.fail(deadlineExceeded(trace)));
        });
        return context == null ? answer : answer.emitOn(task -> context.runOnContext(ignored -> task.run()));
    }

    private Uni<Void> route(TerminateCommand command, TerminateTrace trace, Deadline deadline) {
        // scoping rules: the VM pattern before routing (and so before any discovery), the host in call()
        return Uni.createFrom().deferred(() -> {
                    scope.checkVm(command.caller(), command.vm());
                    return directory.resolve(command.vm(), deadline);
                })
                .chain(route -> call(route, command, trace, deadline)
                        // a discovered owner that says the VM itself is not there: it moved (vMotion).
                        // That host definitively did nothing, so asking the new owner is not a retry.
                        .onFailure(f -> route.discovered() && vmNotFound(f)).recoverWithUni(f -> {
                            LOG.infof("VM %s is no longer on host %s; looking for its new owner", command.vm(),
                                    route.host().name());
                            directory.invalidate(command.vm());
                            return directory.resolve(command.vm(), deadline).chain(next -> next.host() == route.host()
                                    ? Uni.createFrom().failure(f)
                                    : call(next, command, trace, deadline));
                        }));
    }

    private Uni<Void> call(Route route, TerminateCommand command, TerminateTrace trace, Deadline deadline) {
        // every host about to be called must be in the caller's scope, the new owner of a moved VM too;
        // a denial is the gateway's unauthorized answer and no call to that host
        scope.checkHost(command.caller(), command.vm(), route.host().name());
        trace.host(route.host().name());
        if (deadline.passed()) {
            return Uni.createFrom().failure(deadlineExceeded(trace)); // found the owner too late: do not start
        }
        return route.host().terminate(command.vm(), command.pid(), command.credentials(), deadline, trace);
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
