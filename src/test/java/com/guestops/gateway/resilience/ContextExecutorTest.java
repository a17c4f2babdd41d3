package com.guestops.gateway.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.impl.ContextInternal;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A request's continuations run on its own context: at once on its event loop, queued onto it from elsewhere. */
class ContextExecutorTest {

    private static Vertx vertx;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Two requests' contexts on one event loop, as Vert.x makes them (duplicates of the connection's). */
    private static ContextInternal[] twoRequestsOnOneLoop() {
        ContextInternal connection = (ContextInternal) vertx.getOrCreateContext();
        return new ContextInternal[] {connection.duplicate(), connection.duplicate()};
    }

    /** The thread of the context's event loop. */
    private static Thread loopThreadOf(ContextInternal context) throws Exception {
        return context.nettyEventLoop().submit(Thread::currentThread).get(10, TimeUnit.SECONDS);
    }

    @Test
    void onItsOwnEventLoopTheTaskRunsAtOnceUnderTheRequestsContext() throws Exception {
        ContextInternal[] requests = twoRequestsOnOneLoop();
        Executor executor = ContextExecutor.of(requests[0]);
        CompletableFuture<String> seen = new CompletableFuture<>();
        // an answer arriving on the loop under another request's context (a shared login, a freed bulkhead slot)
        requests[1].runOnContext(ignored -> {
            StringBuilder order = new StringBuilder();
            executor.execute(() -> order.append(Vertx.currentContext() == requests[0] ? "ran-on-request" : "ran-elsewhere"));
            order.append(",returned");
            seen.complete(order + (Vertx.currentContext() == requests[1] ? ",restored" : ",not-restored"));
        });
        assertThat(seen.get(10, TimeUnit.SECONDS)).isEqualTo("ran-on-request,returned,restored");
    }

    @Test
    void fromAnotherThreadTheTaskIsQueuedOntoTheRequestsLoop() throws Exception {
        ContextInternal request = twoRequestsOnOneLoop()[0];
        Thread loop = loopThreadOf(request);
        CompletableFuture<Boolean> onRequest = new CompletableFuture<>();
        ContextExecutor.of(request).execute(() -> onRequest.complete(Thread.currentThread() == loop && Vertx.currentContext() == request));
        assertThat(onRequest.get(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aFailureOfATaskRunInPlaceIsReportedToTheContextNotThrownAtWhoeverCompletedTheStep() throws Exception {
        ContextInternal request = twoRequestsOnOneLoop()[0];
        CompletableFuture<Throwable> reported = new CompletableFuture<>();
        request.exceptionHandler(reported::complete);
        CompletableFuture<String> caller = new CompletableFuture<>();
        request.runOnContext(ignored -> {
            try {
                ContextExecutor.run(request, () -> {
                    throw new IllegalStateException("downstream failed");
                });
                caller.complete("returned normally");
            } catch (RuntimeException e) {
                caller.complete("thrown back: " + e.getMessage());
            }
        });
        assertThat(caller.get(10, TimeUnit.SECONDS)).isEqualTo("returned normally");
        assertThat(reported.get(10, TimeUnit.SECONDS)).hasMessage("downstream failed");
    }

    @Test
    void onAWorkerThreadOfTheContextTheTaskIsQueuedOntoItsEventLoop() throws Exception {
        ContextInternal request = twoRequestsOnOneLoop()[0];
        Thread loop = loopThreadOf(request);
        CompletableFuture<Boolean> onLoop = new CompletableFuture<>();
        request.runOnContext(ignored -> request.executeBlocking(() -> {
            // a worker thread with the request's context current: not its loop
            ContextExecutor.run(request, () -> onLoop.complete(Thread.currentThread() == loop));
            return null;
        }));
        assertThat(onLoop.get(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void withoutAContextThereIsNoExecutor() {
        Context none = null;
        assertThat(ContextExecutor.of(none)).isNull();
    }
}
