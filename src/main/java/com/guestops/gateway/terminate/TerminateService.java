package com.guestops.gateway.terminate;

import com.guestops.gateway.config.GatewayConfig;
import com.guestops.gateway.error.ErrorSource;
import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.error.VapiException;
import com.guestops.gateway.resilience.HostGuard;
import com.guestops.gateway.resilience.HostGuards;
import com.guestops.gateway.routing.HostDirectory;
import com.guestops.gateway.routing.Route;
import com.guestops.gateway.security.CallerScope;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * The use case: check the caller's scope, route a validated command to the host that owns the VM, call
 * it through that host's guard within one overall deadline, and turn whatever happened into either
 * success or a {@link VapiException}.
 */
@ApplicationScoped
public class TerminateService {

    private static final Logger LOG = Logger.getLogger(TerminateService.class);

    private final HostDirectory directory;
    private final HostGuards guards;
    private final CallerScope scope;
    private final Duration defaultDeadline;

    @Inject
    public TerminateService(HostDirectory directory, HostGuards guards, CallerScope scope, GatewayConfig config) {
        this.directory = directory;
        this.guards = guards;
        this.scope = scope;
        this.defaultDeadline = config.resilience().deadline();
    }

    public Uni<Void> terminate(TerminateCommand command, TerminateTrace trace) {
        // the command's toString() shows the credentials redacted (Secret prints ****) and the caller's subject
        LOG.debugf("Terminating: %s", command);
        Duration deadline = command.requestedDeadline()
                .filter(d -> d.compareTo(defaultDeadline) < 0)
                .orElse(defaultDeadline);
        long deadlineAtNanos = trace.startNanos() + deadline.toNanos();
        // scoping rules: the VM pattern before routing (and so before any discovery), the host in call()
        return Uni.createFrom().deferred(() -> {
                    scope.checkVm(command.caller(), command.vm());
                    return directory.resolve(command.vm());
                })
                .chain(route -> call(route, command, trace, deadlineAtNanos)
                        // a discovered owner that says the VM itself is not there: it moved (vMotion).
                        // That host definitively did nothing, so asking the new owner is not a retry.
                        .onFailure(f -> route.discovered() && vmNotFound(f)).recoverWithUni(f -> {
                            LOG.infof("VM %s is no longer on host %s; looking for its new owner", command.vm(), route.host().name());
                            directory.invalidate(command.vm());
                            return directory.resolve(command.vm()).chain(next -> next.host() == route.host()
                                    ? Uni.createFrom().failure(f)
                                    : call(next, command, trace, deadlineAtNanos));
                        }))
                // covers all attempts and backoffs; the guard itself refuses to start attempts past it
                .ifNoItem().after(deadline).failWith(HostGuard::deadlineExceeded)
                .onFailure().transform(f -> {
                    VapiException answer = HostFailures.translate(trace.host(), f);
                    if (!(f instanceof VapiException) && answer.type() == ErrorType.ERROR) {
                        LOG.errorf(f, "Unexpected failure calling host %s", trace.host());
                    }
                    LOG.debugf("vm %s pid %d on host %s: %s after %d attempt(s)", command.vm(), command.pid(),
                            trace.host(), answer.getMessage(), trace.attempts());
                    return answer;
                });
    }

    private Uni<Void> call(Route route, TerminateCommand command, TerminateTrace trace, long deadlineAtNanos) {
        // every host about to be called must be in the caller's scope, the new owner of a moved VM too;
        // a denial is the gateway's unauthorized answer and no call to that host
        scope.checkHost(command.caller(), command.vm(), route.host().name());
        trace.host(route.host().name());
        HostGuard guard = guards.forHost(route.host().name());
        return guard.terminate(command, trace, deadlineAtNanos);
    }

    /** The host's {@code not_found} is about the VM, not the pid (a missing pid carries {@code data.pid}). */
    private static boolean vmNotFound(Throwable f) {
        return f instanceof VapiException v && v.source() == ErrorSource.HOST && v.type() == ErrorType.NOT_FOUND
                && (v.error().data() == null || !v.error().data().containsKey("pid"));
    }
}
