package com.guestops.gateway.resilience;

import io.vertx.core.Context;
import io.vertx.core.impl.ContextInternal;
import java.util.concurrent.Executor;

/**
 * Runs a request's continuations on its own Vert.x context, where its logs (MDC) and trace live: in place when that
 * context is already running, on its loop's thread (the usual case: the kills' connections are per loop, so a host's
 * answer arrives on the request's own loop), queued onto its loop from any other thread (a timer, a shared login
 * completed by another request, a bulkhead slot another request freed). {@code Context.runOnContext} would queue every
 * time: a task-queue round trip per step of every request (measured, bench/HISTORY.md); and {@code emit}, even on the
 * loop's own thread, switches the thread's context and class loader and reads the clock twice for each step (Vert.x
 * 4.5's {@code ContextImpl.emit}).
 */
public final class ContextExecutor {

    private ContextExecutor() {
    }

    /** An executor for the context; null when there is none (not called on Vert.x): run where it completes then. */
    public static Executor of(Context context) {
        return context instanceof ContextInternal own ? command -> run(own, command) : null;
    }

    /**
     * Runs {@code command} on {@code context}: in place when it is running there now (on its own thread: a worker
     * thread of the context is not its loop), else queued there; in place when there is none (not on Vert.x). As
     * Vert.x's own {@code emit}, a failure of the command is reported to the context, never thrown back at whoever
     * completed the step (a host client, SmallRye's guard, another request's login), whose own state it would leave
     * half done.
     */
    public static void run(Context context, Runnable command) {
        if (context == null) {
            command.run();
            return;
        }
        ContextInternal own = (ContextInternal) context;
        if (own.isRunningOnContext()) {
            try {
                command.run();
            } catch (Throwable t) {
                own.reportException(t);
            }
        } else {
            own.emit(ignored -> command.run());
        }
    }
}
