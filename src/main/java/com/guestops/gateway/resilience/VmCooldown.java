package com.guestops.gateway.resilience;

import com.guestops.gateway.config.NanoClock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Per-VM cool-down for "VMware Tools not running": after {@code threshold} consecutive
 * {@code service_unavailable} answers from the host for one VM, that VM fails fast for
 * {@code duration} without a host call. One guest with dead Tools then costs its host a few calls per
 * cool-down instead of one per request, and cannot open the host's breaker by itself.
 *
 * <p>After a cool-down, one more such answer starts the next one. A VM that stays quiet for ten
 * cool-down durations after its last such answer (or after its cool-down ended) starts counting
 * afresh: answers that far apart are not a streak.
 *
 * <p>Bounded: an access-ordered LRU of at most {@code maxVms} entries; a VM that falls out simply
 * starts counting again.
 */
public final class VmCooldown {

    private final int threshold;
    private final long durationNanos;
    private final long forgetAfterNanos;
    private final NanoClock clock;
    private final Map<String, Entry> vms;
    /**
     * How many VMs have an entry: written under the lock, read without it. Nearly always 0 (no VM with a streak), and
     * then a request's two look-ups skip the lock both event loops would otherwise take for every request.
     */
    private volatile int tracked;

    public VmCooldown(int threshold, Duration duration, int maxVms, NanoClock clock) {
        this.threshold = threshold;
        this.durationNanos = duration.toNanos();
        this.forgetAfterNanos = 10 * durationNanos;
        this.clock = clock;
        this.vms = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > maxVms;
            }
        };
    }

    /** Remaining cool-down of the VM in nanoseconds, if it is cooling down now. */
    public OptionalLong remaining(String vm) {
        if (tracked == 0) {
            return OptionalLong.empty(); // as if called just before the first entry was made
        }
        synchronized (this) {
            return remainingLocked(vm);
        }
    }

    private OptionalLong remainingLocked(String vm) {
        Entry e = current(vm);
        if (e == null || e.coolUntil == 0) {
            return OptionalLong.empty();
        }
        long left = e.coolUntil - clock.nanoTime();
        if (left <= 0) {
            e.coolUntil = 0; // the next call is a probe; one more failure starts a new cool-down
            e.consecutive = threshold - 1;
            e.lastAt = clock.nanoTime();
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
        Entry e = current(vm);
        if (e == null) {
            e = new Entry();
            vms.put(vm, e);
            tracked = vms.size();
        }
        e.consecutive++;
        e.lastAt = clock.nanoTime();
        if (e.consecutive >= threshold) {
            e.coolUntil = e.lastAt + durationNanos;
        }
        return e.consecutive;
    }

    /** Any other answer from the host for the VM ends its streak. */
    public void recordOther(String vm) {
        if (tracked == 0) {
            return; // nothing to end
        }
        synchronized (this) {
            vms.remove(vm);
            tracked = vms.size();
        }
    }

    public synchronized int size() {
        return vms.size();
    }

    /** The VM's entry, dropped first when its streak has gone quiet for ten durations. */
    private Entry current(String vm) {
        Entry e = vms.get(vm);
        if (e == null) {
            return null;
        }
        long quietSince = e.coolUntil != 0 ? e.coolUntil : e.lastAt;
        if (clock.nanoTime() - quietSince > forgetAfterNanos) {
            vms.remove(vm);
            tracked = vms.size();
            return null;
        }
        return e;
    }

    private static final class Entry {
        int consecutive;
        long lastAt;
        long coolUntil;
    }
}
