package com.guestops.gateway.host.vim25;

import com.guestops.gateway.error.ErrorSource;
import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.error.VapiError;
import com.guestops.gateway.error.VapiException;
import com.guestops.gateway.error.VapiMessage;
import com.guestops.gateway.host.RelayedErrors;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The vim25 fault → vAPI error table of docs/hosts.md ("What goes over the wire"). The message id is the fault's vSphere type name
 * ({@code vim.fault.GuestProcessNotFound}, {@code vmodl.fault.ManagedObjectNotFound}), so callers can
 * tell host-made errors from the gateway's own ({@code com.guestops.gateway.*}).
 */
final class Vim25Faults {

    /** The vmodl (runtime) faults; every other fault type lives in {@code vim.fault}. */
    private static final Set<String> VMODL = Set.of("ManagedObjectNotFound", "SystemError", "InvalidArgument",
            "InvalidRequest", "NotSupported", "SecurityError", "HostCommunication", "NotEnoughLicenses",
            "RequestCanceled", "InvalidType", "MethodNotFound", "NotImplemented", "InvalidCollectorVersion",
            "InvalidProperty", "MethodFault", "RuntimeFault");

    private Vim25Faults() {
    }

    static ErrorType typeOf(String fault) {
        return switch (fault) {
            case "InvalidPowerState", "InvalidState" -> ErrorType.NOT_ALLOWED_IN_CURRENT_STATE;
            case "ManagedObjectNotFound", "GuestProcessNotFound" -> ErrorType.NOT_FOUND;
            case "TaskInProgress", "ConcurrentAccess" -> ErrorType.RESOURCE_BUSY;
            case "GuestOperationsUnavailable" -> ErrorType.SERVICE_UNAVAILABLE;
            case "InvalidGuestLogin" -> ErrorType.UNAUTHENTICATED;
            case "GuestPermissionDenied", "NoPermission" -> ErrorType.UNAUTHORIZED;
            case "OperationNotSupportedByGuest", "OperationDisabledByGuest", "GuestComponentsOutOfDate" ->
                    ErrorType.UNSUPPORTED;
            default -> ErrorType.ERROR; // SystemError "vix error codes ...", GuestOperationsFault, anything new
        };
    }

    static String messageId(String fault) {
        String type = fault.isEmpty() ? "MethodFault" : fault;
        return (VMODL.contains(type) ? "vmodl.fault." : "vim.fault.") + type;
    }

    /**
     * The caller's answer for a fault of a TerminateProcessInGuest call on {@code vm} / {@code pid}: the
     * host's fault text relayed, bounded and with {@code secrets} redacted ({@link RelayedErrors}).
     */
    static VapiException toVapi(SoapResponse.Fault fault, String vm, long pid, Collection<String> secrets) {
        ErrorType type = typeOf(fault.type());
        String id = messageId(fault.type());
        String hostText = fault.faultString();
        VapiError error = switch (fault.type()) {
            case "GuestProcessNotFound" -> {
                long missing = fault.detailText("pid").flatMap(Vim25Faults::parseLong).orElse(pid);
                yield new VapiError(type, List.of(message(id, hostText,
                        "Process " + missing + " was not found in the guest of virtual machine " + vm + ".",
                        Long.toString(missing), vm)), Map.of("pid", missing));
            }
            case "ManagedObjectNotFound" -> new VapiError(type, List.of(message(id, hostText,
                    "Virtual machine " + vm + " was not found on the host.", vm)), null);
            default -> new VapiError(type, List.of(message(id, hostText, defaultText(fault.type(), vm, pid), vm)), null);
        };
        return new VapiException(RelayedErrors.bound(error, secrets), ErrorSource.HOST);
    }

    private static String defaultText(String fault, String vm, long pid) {
        return switch (typeOf(fault)) {
            case NOT_ALLOWED_IN_CURRENT_STATE -> "Virtual machine " + vm + " is not in a state that allows guest operations.";
            case RESOURCE_BUSY -> "Virtual machine " + vm + " is busy with another operation.";
            case SERVICE_UNAVAILABLE -> "Guest operations are not available in virtual machine " + vm
                    + " (VMware Tools not running?).";
            case UNAUTHENTICATED -> "The guest credentials are not valid.";
            case UNAUTHORIZED -> "The guest user may not terminate process " + pid + ".";
            case UNSUPPORTED -> "The guest of virtual machine " + vm + " does not support terminating processes.";
            default -> "The host failed to terminate process " + pid + " (" + (fault.isEmpty() ? "unknown fault" : fault) + ").";
        };
    }

    /** The host's own fault text when it said something, else ours. */
    private static VapiMessage message(String id, String hostText, String ourText, String... args) {
        return VapiMessage.of(id, hostText.isBlank() ? ourText : hostText, args);
    }

    private static java.util.Optional<Long> parseLong(String s) {
        try {
            return java.util.Optional.of(Long.parseLong(s.trim()));
        } catch (NumberFormatException e) {
            return java.util.Optional.empty();
        }
    }
}
