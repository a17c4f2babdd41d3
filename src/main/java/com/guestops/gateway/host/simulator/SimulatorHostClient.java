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
import com.guestops.gateway.host.ProcessInfo;
import com.guestops.gateway.host.simulator.SimulatorInventory.FaultKind;
import com.guestops.gateway.host.simulator.SimulatorInventory.ProcessKind;
import com.guestops.gateway.host.simulator.SimulatorInventory.ProcessRange;
import com.guestops.gateway.host.simulator.SimulatorInventory.User;
import com.guestops.gateway.host.simulator.SimulatorInventory.Vm;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
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
 * <p>Every process has a name, owner, command and start time (what a process lookup answers). All
 * processes of a simulator start when it is built; a respawning worker that is killed is replaced by a new
 * process with the same pid, started at the kill (by {@code clock}, and always later than its predecessor),
 * so a caller holding the old process's ETag can tell.
 *
 * <p>Mutable state (one-shot pids already killed, start times of respawned workers, the busy cycle counter)
 * is per VM and thread-safe.
 */
public final class SimulatorHostClient implements HostClient {

    static final String MSG = "com.guestops.simulator.";

    private final String name;
    private final SimulatorInventory inventory;
    private final Vertx vertx;
    private final Map<String, VmState> state = new ConcurrentHashMap<>();
    private final Clock clock;
    /** When every process of this simulator's guests started (a respawned worker: later). */
    private final Instant booted;

    /**
     * @param vertx used for non-blocking delays ({@code delay-ms}) and hangs; may be null when no VM is
     *              slow or hangs
     * @param clock the wall clock of process start times
     */
    public SimulatorHostClient(String name, SimulatorInventory inventory, Vertx vertx, Clock clock) {
        this.name = name;
        this.inventory = inventory;
        this.vertx = vertx;
        this.clock = clock;
        this.booted = clock.instant().truncatedTo(ChronoUnit.MILLIS);
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
        return call(vm, (definition, vmState, callNo) -> {
            VapiException failure = evaluate(vm, definition, vmState, callNo, pid, credentials);
            return failure == null ? Uni.createFrom().voidItem() : Uni.createFrom().failure(failure);
        });
    }

    @Override
    public HostCall<ProcessInfo> process(String vm, long pid, GuestCredentials credentials) {
        return call(vm, (definition, vmState, callNo) -> {
            VapiException failure = guestChecks(vm, definition, callNo, credentials);
            if (failure == null) {
                ProcessRange range = range(pid);
                if (range == null || range.kind() == ProcessKind.ONE_SHOT && vmState.killed.contains(pid)) {
                    failure = processNotFound(pid);
                } else {
                    Instant started = vmState.started.getOrDefault(pid, booted);
                    return Uni.createFrom().item(new ProcessInfo(range.name(), range.owner(), range.command(), started,
                            null, null));
                }
            }
            return Uni.createFrom().failure(failure);
        });
    }

    /** The answer of one simulated call to a VM, given its definition, state and call number. */
    @FunctionalInterface
    private interface Answer<T> {
        Uni<T> of(Vm definition, VmState vmState, long call);
    }

    /** One simulated host call: transport faults and slowness first, as a real host's network would have them. */
    private <T> HostCall<T> call(String vm, Answer<T> answer) {
        // deferred: each subscription is one simulated host call, as with a real host
        return timeout -> Uni.createFrom().deferred(() -> {
            Vm definition = inventory.vms().get(vm);
            VmState vmState = state.computeIfAbsent(vm, k -> new VmState());
            long call = vmState.calls.getAndIncrement();
            FaultKind fault = transportFault(definition, call);
            if (fault != null) {
                return transportFailure(fault, timeout);
            }
            Uni<T> result = answer.of(definition, vmState, call);
            long delay = definition == null ? 0 : definition.delayMs();
            if (delay >= timeout.toMillis()) {
                return after(timeout.toMillis(), timedOut(timeout)); // the host took longer than the attempt may
            }
            return delay > 0 ? after(delay, result) : result;
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
    private <T> Uni<T> transportFailure(FaultKind fault, Duration timeout) {
        return switch (fault) {
            case CONNECTION_REFUSED -> Uni.createFrom().failure(
                    new HostFailure(Kind.REFUSED, name, false, -1, "connection refused (simulated)", null));
            case RESET -> Uni.createFrom().failure(
                    new HostFailure(Kind.CONNECTION_LOST, name, true, -1, "connection reset (simulated)", null));
            case HANG -> after(timeout.toMillis(), timedOut(timeout));
        };
    }

    private <T> Uni<T> timedOut(Duration timeout) {
        return Uni.createFrom().failure(new HostFailure(Kind.TIMEOUT, name, true, -1,
                "no answer within " + timeout.toMillis() + " ms (simulated)", null));
    }

    /** Answers after {@code delayMs} on a Vert.x timer: slow, but nothing waits on a thread. */
    private <T> Uni<T> after(long delayMs, Uni<T> answer) {
        return Uni.createFrom().<Void>emitter(e -> {
            long timer = vertx.setTimer(delayMs, id -> e.complete(null));
            e.onTermination(() -> vertx.cancelTimer(timer));
        }).chain(() -> answer);
    }

    private VapiException evaluate(String vmId, Vm vm, VmState vmState, long call, long pid, GuestCredentials credentials) {
        VapiException refused = guestChecks(vmId, vm, call, credentials);
        if (refused != null) {
            return refused;
        }
        User user = authenticate(credentials).orElseThrow();
        if (pid < user.effectiveMinPid()) {
            return fail(ErrorType.UNAUTHORIZED, "guest.permission_denied",
                    "Guest user " + user.name() + " may not terminate process " + pid + ".", user.name(), Long.toString(pid));
        }
        ProcessRange range = range(pid);
        boolean killed = range != null
                && (range.kind() == ProcessKind.RESPAWNING || vmState.killed.add(pid));
        if (!killed) {
            return processNotFound(pid);
        }
        if (range.kind() == ProcessKind.RESPAWNING) {
            // the supervisor starts a new worker with the same pid at once: a new process, a later start time
            vmState.started.compute(pid, (p, previous) -> {
                Instant before = previous == null ? booted : previous;
                Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
                return now.isAfter(before) ? now : before.plusMillis(1);
            });
        }
        return null;
    }

    /** What every guest operation checks first: the VM, its state and Tools, a busy host, the guest login. */
    private VapiException guestChecks(String vmId, Vm vm, long call, GuestCredentials credentials) {
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
        return null;
    }

    private ProcessRange range(long pid) {
        return inventory.processes().stream().filter(r -> r.contains(pid)).findFirst().orElse(null);
    }

    private static VapiException processNotFound(long pid) {
        VapiError error = VapiError.of(ErrorType.NOT_FOUND, MSG + "guest.process_not_found",
                "Process " + pid + " was not found in the guest.", Long.toString(pid))
                .withData(Map.of("pid", pid));
        return new VapiException(error, ErrorSource.HOST);
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
        /** Start times of respawned workers; every other process started when the simulator was built. */
        final Map<Long, Instant> started = new ConcurrentHashMap<>();
    }
}
