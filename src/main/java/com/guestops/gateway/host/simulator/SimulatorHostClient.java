package com.guestops.gateway.host.simulator;

import com.guestops.gateway.config.HostType;
import com.guestops.gateway.error.ErrorSource;
import com.guestops.gateway.error.ErrorType;
import com.guestops.gateway.error.VapiError;
import com.guestops.gateway.error.VapiException;
import com.guestops.gateway.host.GuestCredentials;
import com.guestops.gateway.host.HostClient;
import com.guestops.gateway.host.HostFailure;
import com.guestops.gateway.host.HostFailure.Kind;
import com.guestops.gateway.host.simulator.SimulatorInventory.FaultKind;
import com.guestops.gateway.host.simulator.SimulatorInventory.ProcessKind;
import com.guestops.gateway.host.simulator.SimulatorInventory.ProcessRange;
import com.guestops.gateway.host.simulator.SimulatorInventory.User;
import com.guestops.gateway.host.simulator.SimulatorInventory.Vm;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The embedded simulator: answers terminate calls from an in-memory {@link SimulatorInventory}
 * exactly as a vCenter would (same error types, same {@code data}), and behaves like a real host
 * toward its guard: a transport fault of the inventory fails like the network would
 * ({@link HostFailure}), and an answer slower than the attempt timeout is a timeout. Everything happens
 * on the calling thread or a Vert.x timer, with no I/O, so it never blocks the event loop.
 *
 * <p>Mutable state (one-shot pids already killed, the busy cycle counter) is per VM and thread-safe.
 */
public final class SimulatorHostClient implements HostClient {

    static final String MSG = "com.guestops.simulator.";

    private final String name;
    private final SimulatorInventory inventory;
    private final Vertx vertx;
    private final Map<String, VmState> state = new ConcurrentHashMap<>();

    /**
     * @param vertx used for non-blocking delays ({@code delay-ms}) and hangs; may be null when no VM is
     *              slow or hangs
     */
    public SimulatorHostClient(String name, SimulatorInventory inventory, Vertx vertx) {
        this.name = name;
        this.inventory = inventory;
        this.vertx = vertx;
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
        return Set.copyOf(inventory.vms().keySet());
    }

    @Override
    public Uni<Ownership> lookup(String vm, Duration timeout) {
        return Uni.createFrom().item(() -> inventory.vms().containsKey(vm) ? Ownership.OWNS : Ownership.NOT_HERE);
    }

    @Override
    public Uni<Void> logout() {
        return Uni.createFrom().voidItem(); // no session
    }

    @Override
    public HostCall<Void> terminate(String vm, long pid, GuestCredentials credentials) {
        // deferred: each subscription is one simulated host call, as with a real host
        return timeout -> Uni.createFrom().deferred(() -> {
            Vm definition = inventory.vms().get(vm);
            VmState vmState = state.computeIfAbsent(vm, k -> new VmState());
            long call = vmState.calls.getAndIncrement();
            FaultKind fault = transportFault(definition, call);
            if (fault != null) {
                return transportFailure(fault, timeout);
            }
            VapiException failure = evaluate(vm, definition, vmState, call, pid, credentials);
            Uni<Void> answer = failure == null ? Uni.createFrom().voidItem() : Uni.createFrom().failure(failure);
            long delay = definition == null ? 0 : definition.delayMs();
            if (delay >= timeout.toMillis()) {
                return after(timeout.toMillis(), timedOut(timeout)); // the host took longer than the attempt may
            }
            return delay > 0 ? after(delay, answer) : answer;
        });
    }

    private static FaultKind transportFault(Vm vm, long call) {
        if (vm == null || vm.transportFault() == null) {
            return null;
        }
        var f = vm.transportFault();
        return call % f.cycle() < f.faultyCalls() ? f.kind() : null;
    }

    /** What the network would do: refused before sending, dropped after sending, or no answer at all. */
    private Uni<Void> transportFailure(FaultKind fault, Duration timeout) {
        return switch (fault) {
            case CONNECTION_REFUSED -> Uni.createFrom().failure(
                    new HostFailure(Kind.REFUSED, name, false, -1, "connection refused (simulated)", null));
            case RESET -> Uni.createFrom().failure(
                    new HostFailure(Kind.CONNECTION_LOST, name, true, -1, "connection reset (simulated)", null));
            case HANG -> after(timeout.toMillis(), timedOut(timeout));
        };
    }

    private Uni<Void> timedOut(Duration timeout) {
        return Uni.createFrom().failure(new HostFailure(Kind.TIMEOUT, name, true, -1,
                "no answer within " + timeout.toMillis() + " ms (simulated)", null));
    }

    /** Answers after {@code delayMs} on a Vert.x timer: slow, but nothing waits on a thread. */
    private Uni<Void> after(long delayMs, Uni<Void> answer) {
        return Uni.createFrom().<Void>emitter(e -> {
            long timer = vertx.setTimer(delayMs, id -> e.complete(null));
            e.onTermination(() -> vertx.cancelTimer(timer));
        }).chain(() -> answer);
    }

    private VapiException evaluate(String vmId, Vm vm, VmState vmState, long call, long pid, GuestCredentials credentials) {
        if (vm == null) {
            return fail(ErrorType.NOT_FOUND, "vm.not_found", "Virtual machine " + vmId + " was not found.", vmId);
        }
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

    private static final class VmState {
        final AtomicLong calls = new AtomicLong();
        final Set<Long> killed = ConcurrentHashMap.newKeySet();
    }
}
