package com.guestops.gateway.config;

import io.quarkus.arc.DefaultBean;
import java.time.Clock;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The production clocks: {@link System#nanoTime()} for durations, UTC wall time for the simulator's process start times. */
@Singleton
public class Clocks {

    @Produces
    @Singleton
    @DefaultBean
    NanoClock system() {
        return NanoClock.SYSTEM;
    }

    @Produces
    @Singleton
    @DefaultBean
    Clock wall() {
        return Clock.systemUTC();
    }
}
