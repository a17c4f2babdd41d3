package com.guestops.gateway.host;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.impl.ContextInternal;
import java.util.concurrent.TimeUnit;

/**
 * Time limits that are set for every request and almost never reached: the request's deadline, its body's time limit,
 * each host call's attempt timeout. Each is a Vert.x timer otherwise, scheduled into its event loop's priority queue
 * and removed again a few milliseconds later, three times per request (measured: about 4 % of a forwarded request's
 * CPU, bench/HISTORY.md).
 *
 * <p>Here each event loop keeps its limits in a few <em>lanes</em>: lists in the order the limits pass, where adding
 * one at the end and removing one anywhere are a few pointer writes. A limit joins the lane whose last limit passes
 * the latest but not after it, so the limits of one length (the configured body timeout, attempt timeout, deadline)
 * line up in a lane of their own without being told their length. Each lane has at most one scheduled task, for its
 * first limit; a limit removed before its time leaves that task in place, which, when it runs, schedules itself for
 * whatever is first then. So a busy lane schedules about one task per length of time instead of one per request.
 *
 * <p>A limit runs its action on the Vert.x context it was set on, like a Vert.x timer. It is kept in a lane only when
 * set on its context's own event loop (the usual case: everything here runs there); otherwise, and when no lane can
 * take it at its end, it is a plain Vert.x timer.
 */
public final class LoopTimers {

    /** Lanes per event loop: enough for the configured limits and a few request-chosen deadlines. */
    private static final int MAX_LANES = 8;
    private static final FastThreadLocal<LoopTimers> ON_LOOP = new FastThreadLocal<>();

    private final EventLoop loop;
    private final Lane[] lanes = new Lane[MAX_LANES];
    private int laneCount;

    private LoopTimers(EventLoop loop) {
        this.loop = loop;
    }

    /** A limit that has been set: {@link #cancel()} once it is no longer needed. */
    public interface Timeout {
        /** The action will not run (unless it is running already); from any thread, more than once is fine. */
        void cancel();
    }

    /** Runs {@code action} on the current Vert.x context once {@link System#nanoTime()} reaches {@code atNanos}, unless cancelled first. */
    public static Timeout start(Vertx vertx, long atNanos, Runnable action) {
        if (Vertx.currentContext() instanceof ContextInternal context && context.nettyEventLoop().inEventLoop()) {
            LoopTimers timers = ON_LOOP.get();
            if (timers == null) {
                timers = new LoopTimers(context.nettyEventLoop());
                ON_LOOP.set(timers);
            }
            Timeout inLane = timers.add(context, atNanos, action);
            if (inLane != null) {
                return inLane;
            }
        }
        // whole milliseconds, rounded up: not before its time
        long id = vertx.setTimer(Math.max(1, (atNanos - System.nanoTime() + 999_999) / 1_000_000), ignored -> action.run());
        return () -> vertx.cancelTimer(id);
    }

    private Timeout add(ContextInternal context, long atNanos, Runnable action) {
        Lane lane = laneFor(atNanos);
        if (lane == null) {
            return null;
        }
        Limit limit = new Limit(lane, context, atNanos, action);
        lane.append(limit);
        lane.schedule();
        return limit;
    }

    /** The lane whose last limit passes the latest but not after {@code atNanos}; else an empty or a new one. */
    private Lane laneFor(long atNanos) {
        Lane best = null;
        Lane empty = null;
        for (int i = 0; i < laneCount; i++) {
            Lane lane = lanes[i];
            if (lane.tail == null) {
                empty = empty == null ? lane : empty;
            } else if (lane.tail.atNanos - atNanos <= 0 && (best == null || lane.tail.atNanos - best.tail.atNanos > 0)) {
                best = lane;
            }
        }
        if (best != null) {
            return best;
        }
        if (empty != null) {
            return empty;
        }
        if (laneCount == MAX_LANES) {
            return null;
        }
        Lane lane = new Lane();
        lanes[laneCount++] = lane;
        return lane;
    }

    /** Limits of this loop, first to pass first. Touched on the loop's thread only. */
    private final class Lane {
        Limit head;
        Limit tail;
        ScheduledFuture<?> task;
        long taskAtNanos;

        void append(Limit limit) {
            limit.previous = tail;
            if (tail == null) {
                head = limit;
            } else {
                tail.next = limit;
            }
            tail = limit;
            limit.linked = true;
        }

        void remove(Limit limit) {
            if (!limit.linked) {
                return;
            }
            limit.linked = false;
            if (limit.previous == null) {
                head = limit.next;
            } else {
                limit.previous.next = limit.next;
            }
            if (limit.next == null) {
                tail = limit.previous;
            } else {
                limit.next.previous = limit.previous;
            }
            limit.previous = null;
            limit.next = null;
        }

        /** A task for the first limit, unless one is due at or before it (that one looks again when it runs). */
        void schedule() {
            if (head == null || task != null && taskAtNanos - head.atNanos <= 0) {
                return;
            }
            if (task != null) {
                task.cancel(false);
            }
            taskAtNanos = head.atNanos;
            task = loop.schedule(this::due, Math.max(0, taskAtNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        }

        private void due() {
            task = null;
            Limit first;
            while ((first = head) != null && first.atNanos - System.nanoTime() <= 0) {
                remove(first);
                Runnable action = first.action;
                first.context.emit(ignored -> action.run()); // on its context, as a Vert.x timer runs; a failure stays there
            }
            schedule();
        }
    }

    private final class Limit implements Timeout {
        final Lane lane;
        final ContextInternal context;
        final long atNanos;
        final Runnable action;
        Limit previous;
        Limit next;
        boolean linked;

        Limit(Lane lane, ContextInternal context, long atNanos, Runnable action) {
            this.lane = lane;
            this.context = context;
            this.atNanos = atNanos;
            this.action = action;
        }

        @Override
        public void cancel() {
            if (loop.inEventLoop()) {
                lane.remove(this);
            } else {
                loop.execute(() -> lane.remove(this));
            }
        }
    }
}
