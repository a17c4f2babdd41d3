package com.guestops.gateway.host.simulator;

import com.guestops.gateway.error.ErrorSource;
import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.error.VapiError;
import com.guestops.gateway.error.VapiException;
import com.guestops.gateway.host.GuestCredentials;
import com.guestops.gateway.host.HostClient;
import com.guestops.gateway.host.HostType;
import com.guestops.gateway.host.simulator.SimulatorInventory.ProcessKind;
import com.guestops.gateway.host.simulator.SimulatorInventory.ProcessRange;
import com.guestops.gateway.host.simulator.SimulatorInventory.User;
import com.guestops.gateway.host.simulator.SimulatorInventory.Vm;
import io.smallrye.mutiny.Uni;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The embedded simulator: answers terminate calls from an in-memory {@link SimulatorInventory}
 * exactly as a vCenter would (same error types, same {@code data}). Everything happens on the
 * calling thread, with no I/O, so it never blocks the event loop.
 *
 * <p>Mutable state (one-shot pids already killed, the busy cycle counter) is per VM and thread-safe.
 */
public class SimulatorHostClient implements HostClient {

    static final String MSG = "com.guestops.simulator.";

    private final String name;
    private final SimulatorInventory inventory;
    private final Map<String, VmState> state = new ConcurrentHashMap<>();
    private volatile String lastCallThread;

    public SimulatorHostClient(String name, SimulatorInventory inventory) {
        this.name = name;
        this.inventory = inventory;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public HostType type() {
        return HostType.SIMULATOR;
    }

    /** The VM ids this simulator owns. */
    public Set<String> vmIds() {
        return inventory.vms().keySet();
    }

    @Override
    public Uni<Void> terminate(String vm, long pid, GuestCredentials credentials) {
        // deferred: each subscription is one simulated host call, as with a real host
        return Uni.createFrom().deferred(() -> {
            lastCallThread = Thread.currentThread().getName();
            VapiException failure = evaluate(vm, pid, credentials);
            return failure == null ? Uni.createFrom().voidItem() : Uni.createFrom().failure(failure);
        });
    }

    private VapiException evaluate(String vmId, long pid, GuestCredentials credentials) {
        Vm vm = inventory.vms().get(vmId);
        if (vm == null) {
            return fail(ErrorType.NOT_FOUND, "vm.not_found", "Virtual machine " + vmId + " was not found.", vmId);
        }
        VmState vmState = state.computeIfAbsent(vmId, k -> new VmState());
        long call = vmState.calls.getAndIncrement();
        if (vm.powerState() != SimulatorInventory.PowerState.ON) {
            return fail(ErrorType.NOT_ALLOWED_IN_CURRENT_STATE, "vm.not_running",
                    "Virtual machine " + vmId + " is not running.", vmId);
        }
        if (vm.failWith() != null) {
            return fail(ErrorType.fromWireName(vm.failWith()), "vm.injected_fault",
                    "Simulated " + vm.failWith() + " for virtual machine " + vmId + ".", vmId);
        }
        if (!vm.toolsRunning()) {
            return fail(ErrorType.SERVICE_UNAVAILABLE, "tools.not_running",
                    "VMware Tools is not running in the guest of " + vmId + ".", vmId);
        }
        if (vm.busy() != null && call % vm.busy().cycle() < vm.busy().busyCalls()) {
            return fail(ErrorType.RESOURCE_BUSY, "vm.busy", "Virtual machine " + vmId + " is busy.", vmId);
        }
        if (!vm.processControl()) {
            return fail(ErrorType.UNSUPPORTED, "guest.operation_not_supported",
                    "The guest operating system of " + vmId + " does not support process control.", vmId);
        }
        Optional<User> user = authenticate(credentials);
        if (user.isEmpty()) {
            return fail(ErrorType.UNAUTHENTICATED, "guest.invalid_login",
                    "The guest credentials are not valid.");
        }
        String userName = user.get().name();
        if (credentials.interactiveSession() && !vm.interactiveUsers().contains(userName)) {
            return fail(ErrorType.UNAUTHENTICATED, "guest.not_interactive",
                    "The user must be logged in interactively.", userName);
        }
        if (pid < user.get().effectiveMinPid()) {
            return fail(ErrorType.UNAUTHORIZED, "guest.permission_denied",
                    "Guest user " + userName + " may not terminate process " + pid + ".", userName, Long.toString(pid));
        }
        ProcessRange range = inventory.processes().stream().filter(r -> r.contains(pid)).findFirst().orElse(null);
        boolean killed = range != null
                && (range.kind() == ProcessKind.RESPAWNING || vmState.killed.add(pid));
        if (!killed) {
            VapiError error = VapiError.of(ErrorType.NOT_FOUND, MSG + "guest.process_not_found",
                    "Process " + pid + " was not found in the guest.", Long.toString(pid))
                    .withData(Map.of("pid", pid));
            return new VapiException(error, ErrorSource.HOST);
        }
        return null;
    }

    private Optional<User> authenticate(GuestCredentials credentials) {
        if (credentials instanceof GuestCredentials.UsernamePassword up) {
            return inventory.users().stream()
                    .filter(u -> u.name().equals(up.user()) && up.password().matches(u.password()))
                    .findFirst();
        }
        GuestCredentials.SamlBearerToken saml = (GuestCredentials.SamlBearerToken) credentials;
        String mapped = inventory.samlTokens().entrySet().stream()
                .filter(e -> saml.token().matches(e.getKey()))
                .map(Map.Entry::getValue)
                .findFirst().orElse(null);
        if (mapped == null || (saml.user() != null && !saml.user().equals(mapped))) {
            return Optional.empty();
        }
        return inventory.users().stream().filter(u -> u.name().equals(mapped)).findFirst();
    }

    private static VapiException fail(ErrorType type, String id, String text, String... args) {
        return VapiException.host(type, MSG + id, text, args);
    }

    // --- hooks for tests and the demo ----------------------------------------------------------

    /** How many terminate calls reached this VM since start (or the last {@link #reset()}). */
    public long calls(String vm) {
        VmState s = state.get(vm);
        return s == null ? 0 : s.calls.get();
    }

    /** Name of the thread that ran the last terminate call. */
    public String lastCallThread() {
        return lastCallThread;
    }

    /** Forgets killed one-shot pids and call counters (tests start from a known state). */
    public void reset() {
        state.clear();
    }

    private static final class VmState {
        final AtomicLong calls = new AtomicLong();
        final Set<Long> killed = ConcurrentHashMap.newKeySet();
    }
}
