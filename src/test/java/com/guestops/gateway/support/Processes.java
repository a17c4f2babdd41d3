package com.guestops.gateway.support;

import java.util.concurrent.TimeUnit;

/** Stopping an application a test started as its own process: SIGTERM, then, after 20 s, SIGKILL. */
public final class Processes {

    private Processes() {
    }

    /** Bounded: at most 30 s. A process that never started or already ended is left alone. */
    public static void stop(Process process) throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
