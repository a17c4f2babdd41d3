package com.guestops.gateway.health;

import io.netty.util.concurrent.EventExecutor;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Liveness: the process answers and every Vert.x event loop runs a task within a second. A stuck
 * event loop means requests pinned to it hang; restarting the pod is the cure. Breaker states are
 * deliberately not part of any probe.
 */
@Liveness
@ApplicationScoped
public class EventLoopLiveness implements AsyncHealthCheck {

    static final Duration MAX_LAG = Duration.ofSeconds(1);

    @Inject
    Vertx vertx;

    @Override
    public Uni<HealthCheckResponse> call() {
        List<Uni<Long>> probes = new ArrayList<>();
        // the rest of the health request must continue on its own Vert.x context, not on a bare
        // netty thread (tracing and MDC state live in that context)
        Context caller = Vertx.currentContext();
        for (EventExecutor loop : vertx.nettyEventLoopGroup()) {
            probes.add(Uni.createFrom().<Long>emitter(e -> {
                long queued = System.nanoTime();
                loop.execute(() -> {
                    long lag = System.nanoTime() - queued;
                    if (caller != null) {
                        caller.runOnContext(v -> e.complete(lag));
                    } else {
                        e.complete(lag);
                    }
                });
            }));
        }
        int loops = probes.size();
        return Uni.join().all(probes).andFailFast()
                .ifNoItem().after(MAX_LAG).fail()
                .map(lags -> HealthCheckResponse.named("event-loops").up()
                        .withData("event-loops", loops)
                        .withData("max-lag-ms", lags.stream().mapToLong(Long::longValue).max().orElse(0) / 1_000_000)
                        .build())
                .onFailure().recoverWithItem(f -> HealthCheckResponse.named("event-loops").down()
                        .withData("event-loops", loops)
                        .withData("reason", "an event loop did not run a task within " + MAX_LAG.toMillis() + " ms")
                        .build());
    }
}
