package com.guestops.gateway.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Limits kept in lanes run like Vert.x timers: on the context they were set on, never before their time, never once
 * cancelled, whatever the order they were set in, whatever their lengths, and also when set off the event loop.
 */
class LoopTimersTest {

    private static final Vertx VERTX = Vertx.vertx();
    /** How late a limit may run on a loaded 2-core machine; being on time is not the point, running at all is. */
    private static final long LATE_NANOS = TimeUnit.SECONDS.toNanos(2);

    @AfterAll
    static void close() {
        VERTX.close().toCompletionStage().toCompletableFuture().join();
    }

    /** What ran: its number, when, and on which context. */
    private record Ran(int id, long atNanos, long ranNanos, Context context) {
    }

    /** Runs {@code body} on a fresh event-loop context and waits for it. */
    private static Context onContext(java.util.function.Consumer<Context> body) {
        Context context = VERTX.getOrCreateContext();
        CompletableFuture<Void> done = new CompletableFuture<>();
        context.runOnContext(v -> {
            body.accept(context);
            done.complete(null);
        });
        done.join();
        return context;
    }

    @Test
    void aLimitRunsOnItsContextNotBeforeItsTime() {
        ConcurrentLinkedQueue<Ran> ran = new ConcurrentLinkedQueue<>();
        long[] at = new long[1];
        Context context = onContext(c -> {
            at[0] = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(150);
            LoopTimers.start(VERTX, at[0], () -> ran.add(new Ran(1, at[0], System.nanoTime(), Vertx.currentContext())));
        });
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> ran.size() == 1);
        Ran r = ran.peek();
        assertThat(r.context()).isSameAs(context);
        assertThat(r.ranNanos()).isGreaterThanOrEqualTo(r.atNanos());
    }

    @Test
    void cancelledLimitsNeverRunAndTheOthersRunOnTimeWhateverTheirOrderAndLengths() {
        ConcurrentLinkedQueue<Ran> ran = new ConcurrentLinkedQueue<>();
        List<LoopTimers.Timeout> offLoopCancels = new ArrayList<>();
        List<Integer> kept = new ArrayList<>();
        long[] latest = {0};
        Random random = new Random(16);
        Context context = onContext(c -> {
            long now = System.nanoTime();
            for (int i = 0; i < 600; i++) {
                // twelve lengths (more than a loop has lanes), each set with some disorder in its starts
                long at = now + TimeUnit.MILLISECONDS.toNanos(40L * (1 + i % 12) + random.nextInt(30));
                int id = i;
                LoopTimers.Timeout t = LoopTimers.start(VERTX, at, () -> ran.add(new Ran(id, at, System.nanoTime(), Vertx.currentContext())));
                latest[0] = Math.max(latest[0], at);
                switch (i % 3) {
                    case 0 -> t.cancel(); // on the loop
                    case 1 -> offLoopCancels.add(t);
                    default -> kept.add(id);
                }
            }
        });
        offLoopCancels.forEach(LoopTimers.Timeout::cancel); // from the test's thread
        offLoopCancels.forEach(LoopTimers.Timeout::cancel); // twice is fine
        // a last limit well after all others: once it has run, every other one would have
        CompletableFuture<Void> last = new CompletableFuture<>();
        onContext(c -> LoopTimers.start(VERTX, latest[0] + TimeUnit.MILLISECONDS.toNanos(300), () -> last.complete(null)));
        last.orTimeout(10, TimeUnit.SECONDS).join();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> ran.size() >= kept.size());
        assertThat(ran).extracting(Ran::id).containsExactlyInAnyOrderElementsOf(kept);
        assertThat(ran).allSatisfy(r -> {
            assertThat(r.context()).isSameAs(context);
            assertThat(r.ranNanos()).as("limit %d", r.id()).isBetween(r.atNanos(), r.atNanos() + LATE_NANOS);
        });
    }

    @Test
    void theFirstLimitCancelledTheNextStillRunsOnTime() {
        ConcurrentLinkedQueue<Ran> ran = new ConcurrentLinkedQueue<>();
        onContext(c -> {
            long now = System.nanoTime();
            LoopTimers.Timeout first = LoopTimers.start(VERTX, now + TimeUnit.MILLISECONDS.toNanos(100), () -> ran.add(new Ran(1, 0, 0, null)));
            long second = now + TimeUnit.MILLISECONDS.toNanos(400);
            LoopTimers.start(VERTX, second, () -> ran.add(new Ran(2, second, System.nanoTime(), Vertx.currentContext())));
            first.cancel();
        });
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !ran.isEmpty());
        Ran r = ran.peek();
        assertThat(r.id()).isEqualTo(2);
        assertThat(r.ranNanos()).isBetween(r.atNanos(), r.atNanos() + LATE_NANOS);
        // and a limit set after the lane emptied runs too
        CompletableFuture<Long> later = new CompletableFuture<>();
        long[] at = new long[1];
        onContext(c -> {
            at[0] = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
            LoopTimers.start(VERTX, at[0], () -> later.complete(System.nanoTime()));
        });
        assertThat(later.orTimeout(5, TimeUnit.SECONDS).join()).isGreaterThanOrEqualTo(at[0]);
    }

    @Test
    void offTheEventLoopALimitIsAVertxTimer() {
        CompletableFuture<Long> ran = new CompletableFuture<>();
        long at = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        LoopTimers.start(VERTX, at, () -> ran.complete(System.nanoTime()));
        CompletableFuture<Void> cancelledRan = new CompletableFuture<>();
        LoopTimers.start(VERTX, at, () -> cancelledRan.complete(null)).cancel();
        assertThat(ran.orTimeout(5, TimeUnit.SECONDS).join()).isGreaterThanOrEqualTo(at);
        CompletableFuture<Void> after = new CompletableFuture<>();
        VERTX.setTimer(300, id -> after.complete(null));
        after.orTimeout(5, TimeUnit.SECONDS).join();
        assertThat(cancelledRan).isNotDone();
    }
}
