package com.guestops.gateway.terminate;

import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.error.VapiException;
import com.guestops.gateway.routing.HostDirectory;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * The use case: route a validated command to the host that owns the VM, call it, and turn whatever
 * happened into either success or a {@link VapiException}.
 */
@ApplicationScoped
public class TerminateService {

    private static final Logger LOG = Logger.getLogger(TerminateService.class);

    private final HostDirectory directory;

    @Inject
    public TerminateService(HostDirectory directory) {
        this.directory = directory;
    }

    public Uni<Void> terminate(TerminateCommand command) {
        // the command's toString() shows the credentials redacted (Secret prints ****)
        LOG.debugf("Terminating: %s", command);
        return directory.resolve(command.vm())
                .chain(host -> host.terminate(command.vm(), command.pid(), command.credentials())
                        .onFailure().transform(f -> {
                            VapiException answer = HostFailures.translate(host.name(), f);
                            if (!(f instanceof VapiException) && answer.type() == ErrorType.ERROR) {
                                LOG.errorf(f, "Unexpected failure calling host %s", host.name());
                            }
                            LOG.debugf("Host %s answered %s for vm %s pid %d", host.name(), answer.getMessage(),
                                    command.vm(), command.pid());
                            return answer;
                        }));
    }
}
