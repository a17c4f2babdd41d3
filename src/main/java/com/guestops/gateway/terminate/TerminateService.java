package com.guestops.gateway.terminate;

import com.guestops.gateway.config.GatewayConfig;
import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.error.VapiException;
import com.guestops.gateway.resilience.HostGuard;
import com.guestops.gateway.resilience.HostGuards;
import com.guestops.gateway.routing.HostDirectory;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * The use case: route a validated command to the host that owns the VM, call it through that host's
 * guard within one overall deadline, and turn whatever happened into either success or a
 * {@link VapiException}.
 */
@ApplicationScoped
public class TerminateService {

    private static final Logger LOG = Logger.getLogger(TerminateService.class);

    private final HostDirectory directory;
    private final HostGuards guards;
    private final Duration defaultDeadline;

    @Inject
    public TerminateService(HostDirectory directory, HostGuards guards, GatewayConfig config) {
        this.directory = directory;
        this.guards = guards;
        this.defaultDeadline = config.resilience().deadline();
    }

    public Uni<Void> terminate(TerminateCommand command, TerminateTrace trace) {
        // the command's toString() shows the credentials redacted (Secret prints ****)
        LOG.debugf("Terminating: %s", command);
        Duration deadline = command.requestedDeadline()
                .filter(d -> d.compareTo(defaultDeadline) < 0)
                .orElse(defaultDeadline);
        long deadlineAtNanos = trace.startNanos() + deadline.toNanos();
        return directory.resolve(command.vm())
                .chain(host -> {
                    trace.host(host.name());
                    HostGuard guard = guards.forHost(host.name());
                    return guard.terminate(command, trace, deadlineAtNanos);
                })
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
}
