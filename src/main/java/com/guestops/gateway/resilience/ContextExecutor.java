package com.guestops.gateway.resilience;

import io.vertx.core.Context;
import io.vertx.core.impl.ContextInternal;
import java.util.concurrent.Executor;

/**
 * Runs a request's continuations on its own Vert.x context, where its logs (MDC) and trace live: in place when that
 * context is already the current one (the usual case: the kills' connections are per loop, so a host's answer arrives
 * on the request's own loop), queued onto its loop from any other thread (a timer, a shared login completed by another
 * request, a bulkhead slot another request freed). {@code Context.runOnContext} would queue every time: a task-queue
 * round trip per step of every request; and even {@code emit} on the loop's own thread switches the thread's context
 * and class loader and reads the clock twice for each step (both measured, bench/README.md).
 */
public final class ContextExecutor {

    private ContextExecutor() {
    }

    /** An executor for the context; null when there is none (not called on Vert.x): run where it completes then. */
    public static Executor of(Context context) {
        return context instanceof ContextInternal own ? command -> run(own, command) : null;
    }

    /** Runs {@code command} on {@code context}: in place when it is current (or null: not on Vert.x), else queued there. */
    public static void run(Context context, Runnable command) {
        if (context == null || ContextInternal.current() == context) {
            command.run();
        } else {
            ((ContextInternal) context).emit(ignored -> command.run());
        }
    }
}
