package com.guestops.gateway.resilience;

import io.vertx.core.Context;
import io.vertx.core.impl.ContextInternal;
import java.util.concurrent.Executor;

/**
 * Runs a request's continuations on its own Vert.x context, where its logs (MDC) and trace live: at once when the
 * thread already is that context's event loop (the usual case: the kills' connections are per loop), queued onto the
 * loop from any other thread (a timer, a shared login completed by another request, a bulkhead slot another request
 * freed). {@code Context.runOnContext} would queue every time: a task-queue round trip per step of every request
 * (measured, bench/README.md).
 */
public final class ContextExecutor {

    private ContextExecutor() {
    }

    /** An executor for the context; null when there is none (not called on Vert.x): run where it completes then. */
    public static Executor of(Context context) {
        return context instanceof ContextInternal own ? command -> own.emit(ignored -> command.run()) : null;
    }
}
