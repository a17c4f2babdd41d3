package com.guestops.gateway.resilience;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * Per-VM cool-down for "VMware Tools not running": after {@code threshold} consecutive
 * {@code service_unavailable} answers from the host for one VM, that VM fails fast for
 * {@code duration} without a host call. One guest with dead Tools then costs its host a few calls per
 * cool-down instead of one per request, and cannot open the host's breaker by itself.
 *
 * <p>Bounded: an access-ordered LRU of at most {@code maxVms} entries; a VM that falls out simply
 * starts counting again.
 */
public final class VmCooldown {

    private final int threshold;
    private final long durationNanos;
    private final LongSupplier clock;
    private final Map<String, Entry> vms;

    public VmCooldown(int threshold, Duration duration, int maxVms) {
        this(threshold, duration, maxVms, System::nanoTime);
    }

    VmCooldown(int threshold, Duration duration, int maxVms, LongSupplier clock) {
        this.threshold = threshold;
        this.durationNanos = duration.toNanos();
        this.clock = clock;
        this.vms = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > maxVms;
            }
        };
    }

    /** Remaining cool-down of the VM in nanoseconds, if it is cooling down now. */
    public synchronized OptionalLong remaining(String vm) {
        Entry e = vms.get(vm);
        if (e == null || e.coolUntil == 0) {
            return OptionalLong.empty();
        }
        long left = e.coolUntil - clock.getAsLong();
        if (left <= 0) {
            e.coolUntil = 0; // the next call is a probe; one more failure starts a new cool-down
            e.consecutive = threshold - 1;
            return OptionalLong.empty();
        }
        return OptionalLong.of(left);
    }

    /**
     * Records a Tools-not-running answer for the VM.
     *
     * @return how many such answers in a row the VM has now given
     */
    public synchronized int recordUnavailable(String vm) {
        Entry e = vms.computeIfAbsent(vm, k -> new Entry());
        e.consecutive++;
        if (e.consecutive >= threshold) {
            e.coolUntil = clock.getAsLong() + durationNanos;
        }
        return e.consecutive;
    }

    /** Any other answer from the host for the VM ends its streak. */
    public synchronized void recordOther(String vm) {
        vms.remove(vm);
    }

    public synchronized int size() {
        return vms.size();
    }

    /** Ends every running cool-down now, keeping each VM's streak (as if the duration had passed). */
    public synchronized void expireAll() {
        long now = clock.getAsLong();
        vms.values().forEach(e -> {
            if (e.coolUntil != 0) {
                e.coolUntil = now;
            }
        });
    }

    public synchronized void reset() {
        vms.clear();
    }

    private static final class Entry {
        int consecutive;
        long coolUntil;
    }
}
