package com.guestops.gateway.resilience;

import com.guestops.gateway.error.ErrorSource;
import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.error.GatewayMessages;
import com.guestops.gateway.error.VapiException;
import com.guestops.gateway.host.HostFailure;
import org.jboss.logging.Logger;

/**
 * The one place where a failed host attempt is judged. Pure: the same failure always gets the same
 * verdict; what depends on state (attempts left, the deadline, the retry budget, a VM's streak) is
 * applied by {@link GuardedHost} on top of it.
 *
 * <p>The rules (docs/forwarding.md, and the first principle: a kill is reported only when it happened):
 * <ul>
 * <li><b>retry</b> only what certainly did not happen: the host's {@code resource_busy}, and a
 *     connection refused before anything was sent. Never a timeout, a dropped connection or an odd
 *     answer after the kill was sent: the pid may already be dead and re-used.</li>
 * <li><b>the breaker</b> counts what says the host is not well: transport failures, timeouts, answers
 *     that are not its protocol, a proxy's 5xx page, a refused service account, and the host's own
 *     {@code service_unavailable} (which {@link GuardedHost} counts once per VM streak). Every other host
 *     answer shows a working host.</li>
 * <li><b>the VM's cool-down</b> hears the host's {@code service_unavailable} for a VM (Tools not
 *     running); any other host answer ends the VM's streak; a failure without an answer says nothing.</li>
 * <li><b>may it have happened?</b> yes when the kill request had been sent and no definite answer came;
 *     the caller's message says so, in words.</li>
 * </ul>
 *
 * <p>A process lookup ({@link Operation#READ}) changes nothing in the guest, so the rule of the kill does not
 * apply to it: it is <b>retried after a timeout, a connection dropped after sending and a proxy's 502/503/504</b>
 * as well (repeating a read is safe; repeating a kill is not), and it never "may have happened". What counts
 * against the breaker and the VM's cool-down is the same as for the kill: the host is as (un)well either way.
 */
public final class AttemptClassifier {

    private static final Logger LOG = Logger.getLogger(AttemptClassifier.class);
    private static final String MAY = "the process may or may not have been terminated.";
    private static final String NOT = "the process was not terminated.";
    private static final String READ = "nothing was terminated.";

    /** What the attempt asked the host to do. */
    public enum Operation {
        /** TerminateProcessInGuest / action=delete: never repeated once it may have reached the guest. */
        KILL,
        /** ListProcessesInGuest / action=get: a read, safe to repeat whatever happened to an attempt. */
        READ
    }

    /** What an answer tells about the VM's Tools-not-running streak. */
    public enum VmSignal {
        /** The host says guest operations are unavailable in this VM. */
        TOOLS_DOWN,
        /** The host answered something else for this VM: its streak ends. */
        ANSWERED,
        /** No answer from the host: says nothing about the VM. */
        NONE
    }

    /**
     * @param result          the {@code result} tag of {@code guestops_host_attempts_total}
     * @param retryable       safe to repeat: certainly not done
     * @param breakerFailure  counts as a failure in the host's circuit breaker
     * @param mayHaveHappened the operation may have taken place at the host
     * @param callerError     what the caller is told if this is the last attempt
     */
    public record Verdict(String result, boolean retryable, boolean breakerFailure, VmSignal vm, boolean mayHaveHappened,
            VapiException callerError) {
    }

    private AttemptClassifier() {
    }

    /** The verdict on a failed kill attempt. */
    public static Verdict classify(Throwable failure) {
        return classify(failure, Operation.KILL);
    }

    public static Verdict classify(Throwable failure, Operation operation) {
        if (failure instanceof VapiException answer) {
            return answer(answer);
        }
        if (failure instanceof HostFailure f) {
            return operation == Operation.READ ? readFailure(hostFailure(f), f) : hostFailure(f);
        }
        // a bug of ours, after the attempt may have reached the host
        LOG.errorf(failure, "Unexpected failure of a host attempt");
        return new Verdict(ErrorType.ERROR.wireName(), false, false, VmSignal.NONE, true, VapiException.gateway(
                ErrorType.ERROR, GatewayMessages.INTERNAL_ERROR, "The gateway failed to process the request."));
    }

    private static Verdict answer(VapiException answer) {
        String result = answer.type().wireName();
        if (answer.source() != ErrorSource.HOST) {
            return new Verdict(result, false, false, VmSignal.NONE, false, answer);
        }
        return switch (answer.type()) {
            case SERVICE_UNAVAILABLE -> new Verdict(result, false, true, VmSignal.TOOLS_DOWN, false, answer);
            case RESOURCE_BUSY -> new Verdict(result, true, false, VmSignal.ANSWERED, false, answer);
            default -> new Verdict(result, false, false, VmSignal.ANSWERED, false, answer);
        };
    }

    private static Verdict hostFailure(HostFailure f) {
        String host = f.host();
        boolean sent = f.operationSent();
        String outcome = sent ? MAY : NOT;
        return switch (f.kind()) {
            case REFUSED -> transport(true, false, error(GatewayMessages.HOST_UNREACHABLE,
                    "Host " + host + " could not be reached (connection refused); " + NOT, host));
            case UNREACHABLE -> transport(false, false, error(GatewayMessages.HOST_UNREACHABLE,
                    "Host " + host + " could not be reached; " + NOT, host));
            case CONNECTION_LOST -> transport(false, sent, sent
                    ? error(GatewayMessages.HOST_CONNECTION_LOST, "The connection to host " + host
                            + " dropped after the request was sent, before the answer; " + MAY, host)
                    : error(GatewayMessages.HOST_UNREACHABLE, "The connection to host " + host
                            + " dropped before the request was sent; " + NOT, host));
            case TIMEOUT -> new Verdict("timeout", false, true, VmSignal.NONE, sent, error(GatewayMessages.HOST_TIMEOUT,
                    sent ? "Host " + host + " did not answer in time; " + MAY
                            : "Host " + host + " did not answer in time, before the request could be sent; " + NOT, host));
            case TOO_LARGE -> new Verdict(ErrorType.ERROR.wireName(), false, true, VmSignal.NONE, sent, VapiException.gateway(
                    ErrorType.ERROR, GatewayMessages.HOST_BAD_RESPONSE, "Host " + host
                            + " answered with more than the gateway reads from it; " + outcome, host, status(f)));
            case BAD_RESPONSE -> new Verdict(ErrorType.ERROR.wireName(), false, true, VmSignal.NONE, sent, VapiException.gateway(
                    ErrorType.ERROR, GatewayMessages.HOST_BAD_RESPONSE, "Host " + host + " answered with something that"
                            + " is not a valid response of its protocol (HTTP " + status(f) + "); " + outcome, host, status(f)));
            case UNAVAILABLE -> new Verdict(ErrorType.SERVICE_UNAVAILABLE.wireName(), false, true, VmSignal.NONE, sent,
                    error(GatewayMessages.HOST_UNAVAILABLE, "Host " + host + " is temporarily unavailable (HTTP "
                            + status(f) + "); " + outcome, host, status(f)));
            case LOGIN_REFUSED -> new Verdict(ErrorType.SERVICE_UNAVAILABLE.wireName(), false, true, VmSignal.NONE, false,
                    error(GatewayMessages.HOST_LOGIN_FAILED, "The gateway could not log in to host " + host
                            + " with its service account (" + f.detail() + "); " + NOT, host, f.detail()));
            case SETUP_FAILED -> new Verdict(ErrorType.SERVICE_UNAVAILABLE.wireName(), false, true, VmSignal.NONE, false,
                    error(GatewayMessages.HOST_SETUP_FAILED, "Host " + host + " failed to set up a session ("
                            + f.detail() + "); " + NOT, host, f.detail()));
        };
    }

    /**
     * A failed lookup: judged like the kill for the breaker and the VM, but retried whenever the failure may be
     * passing (nothing in the guest changes however often it is sent), and never "may have happened".
     */
    private static Verdict readFailure(Verdict asKill, HostFailure f) {
        String host = f.host();
        return switch (f.kind()) {
            case CONNECTION_LOST -> new Verdict(asKill.result(), true, true, VmSignal.NONE, false, error(
                    GatewayMessages.HOST_CONNECTION_LOST, "The connection to host " + host
                            + " dropped before the process lookup was answered; " + READ, host));
            case TIMEOUT -> new Verdict(asKill.result(), true, true, VmSignal.NONE, false, error(GatewayMessages.HOST_TIMEOUT,
                    "Host " + host + " did not answer the process lookup in time; " + READ, host));
            case UNAVAILABLE -> new Verdict(asKill.result(), true, true, VmSignal.NONE, false, error(
                    GatewayMessages.HOST_UNAVAILABLE, "Host " + host + " is temporarily unavailable (HTTP " + status(f)
                            + "); " + READ, host, status(f)));
            case TOO_LARGE, BAD_RESPONSE -> new Verdict(asKill.result(), false, true, VmSignal.NONE, false, VapiException.gateway(
                    ErrorType.ERROR, GatewayMessages.HOST_BAD_RESPONSE, "Host " + host + " answered the process lookup with"
                            + " something that is not a valid response of its protocol (HTTP " + status(f) + "); " + READ,
                    host, status(f)));
            // refused, unreachable, login and set-up failures: nothing was sent, judged and worded as for the kill
            default -> asKill;
        };
    }

    private static Verdict transport(boolean retryable, boolean mayHaveHappened, VapiException error) {
        return new Verdict("transport_error", retryable, true, VmSignal.NONE, mayHaveHappened, error);
    }

    private static VapiException error(String id, String text, String... args) {
        return VapiException.gateway(ErrorType.SERVICE_UNAVAILABLE, id, text, args);
    }

    private static String status(HostFailure f) {
        return f.httpStatus() < 0 ? "none" : Integer.toString(f.httpStatus());
    }
}
