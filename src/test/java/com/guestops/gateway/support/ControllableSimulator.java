package com.guestops.gateway.support;

import com.guestops.gateway.config.HostType;
import com.guestops.gateway.host.GuestCredentials;
import com.guestops.gateway.host.HostClient;
import com.guestops.gateway.host.HostFailure;
import com.guestops.gateway.host.ProcessInfo;
import com.guestops.gateway.host.simulator.SimulatorHostClient;
import com.guestops.gateway.host.simulator.SimulatorInventory;
import com.guestops.gateway.host.simulator.SimulatorInventory.FaultKind;
import com.guestops.gateway.host.simulator.SimulatorInventory.Vm;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A simulator host of the test boot, with what tests need around the production simulator: a journal
 * (kill calls per VM, process lookups per VM, ownership lookups, the thread of the last call), a host-wide transport fault, slow lookups, and
 * VMs that move (vMotion). Moving a VM rebuilds the simulator from the changed inventory; the journal
 * stays.
 */
public final class ControllableSimulator implements HostClient {

    private final String name;
    private final SimulatorInventory original;
    private final Vertx vertx;
    private final Clock clock;
    private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> processLookups = new ConcurrentHashMap<>();
    private final AtomicLong lookups = new AtomicLong();
    private volatile Map<String, Vm> vms;
    private volatile SimulatorHostClient simulator;
    private volatile FaultKind hostFault;
    private volatile long lookupDelayMs;
    private volatile String lastCallThread;

    ControllableSimulator(String name, SimulatorInventory inventory, Vertx vertx, Clock clock) {
        this.name = name;
        this.original = inventory;
        this.vertx = vertx;
        this.clock = clock;
        reset();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public HostType type() {
        return HostType.SIMULATOR;
    }

    @Override
    public HostCall<Void> terminate(String vm, long pid, GuestCredentials credentials) {
        HostCall<Void> call = simulator.terminate(vm, pid, credentials);
        return timeout -> Uni.createFrom().deferred(() -> {
            lastCallThread = Thread.currentThread().getName();
            calls.computeIfAbsent(vm, k -> new AtomicLong()).incrementAndGet();
            FaultKind fault = hostFault;
            return fault != null ? failure(fault) : call.attempt(timeout);
        });
    }

    @Override
    public HostCall<ProcessInfo> process(String vm, long pid, GuestCredentials credentials) {
        HostCall<ProcessInfo> call = simulator.process(vm, pid, credentials);
        return timeout -> Uni.createFrom().deferred(() -> {
            processLookups.computeIfAbsent(vm, k -> new AtomicLong()).incrementAndGet();
            FaultKind fault = hostFault;
            return fault != null ? failure(fault) : call.attempt(timeout);
        });
    }

    @Override
    public Uni<Ownership> lookup(String vm, Duration timeout) {
        return Uni.createFrom().deferred(() -> {
            lookups.incrementAndGet();
            FaultKind fault = hostFault;
            Uni<Ownership> answer = fault != null ? failure(fault) : simulator.lookup(vm, timeout);
            long delay = lookupDelayMs;
            return delay <= 0 ? answer : Uni.createFrom().<Void>emitter(e -> {
                long timer = vertx.setTimer(delay, id -> e.complete(null));
                e.onTermination(() -> vertx.cancelTimer(timer));
            }).chain(() -> answer);
        });
    }

    @Override
    public Uni<Void> logout() {
        return simulator.logout();
    }

    private <T> Uni<T> failure(FaultKind fault) {
        return Uni.createFrom().failure(switch (fault) {
            case CONNECTION_REFUSED -> new HostFailure(HostFailure.Kind.REFUSED, name, false, -1, "refused (test)", null);
            case RESET -> new HostFailure(HostFailure.Kind.CONNECTION_LOST, name, true, -1, "reset (test)", null);
            case HANG -> new HostFailure(HostFailure.Kind.TIMEOUT, name, true, -1, "hang (test)", null);
        });
    }

    // ---- what tests see and change ------------------------------------------------------------------

    /** Terminate calls that reached this host for the VM since the last {@link #reset()}. */
    public long calls(String vm) {
        AtomicLong n = calls.get(vm);
        return n == null ? 0 : n.get();
    }

    /** Process lookups ("get") that reached this host for the VM since the last {@link #reset()}. */
    public long processLookups(String vm) {
        AtomicLong n = processLookups.get(vm);
        return n == null ? 0 : n.get();
    }

    public long totalCalls() {
        return calls.values().stream().mapToLong(AtomicLong::get).sum();
    }

    public long lookups() {
        return lookups.get();
    }

    public String lastCallThread() {
        return lastCallThread;
    }

    /** Makes every call and lookup fail with {@code fault} (null: answer normally again). */
    public void hostFault(FaultKind fault) {
        this.hostFault = fault;
    }

    public void lookupDelay(long millis) {
        this.lookupDelayMs = millis;
    }

    /** vMotion, as seen by this host: the VM leaves it ... */
    public synchronized Vm evict(String vm) {
        Map<String, Vm> changed = new ConcurrentHashMap<>(vms);
        Vm gone = changed.remove(vm);
        rebuild(changed);
        return gone;
    }

    /** ... or arrives on it. */
    public synchronized void adopt(String vm, Vm definition) {
        Map<String, Vm> changed = new ConcurrentHashMap<>(vms);
        changed.put(vm, definition);
        rebuild(changed);
    }

    /** Back to the inventory as configured, with an empty journal and no fault. */
    public synchronized void reset() {
        calls.clear();
        processLookups.clear();
        lookups.set(0);
        hostFault = null;
        lookupDelayMs = 0;
        lastCallThread = null;
        rebuild(original.vms());
    }

    private void rebuild(Map<String, Vm> newVms) {
        vms = Map.copyOf(newVms);
        simulator = new SimulatorHostClient(name, new SimulatorInventory(original.users(), original.samlTokens(),
                original.processes(), vms), vertx, clock);
    }
}
