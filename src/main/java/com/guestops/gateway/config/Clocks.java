package com.guestops.gateway.config;

import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The production clock: {@link System#nanoTime()}. */
@Singleton
public class Clocks {

    @Produces
    @Singleton
    @DefaultBean
    NanoClock system() {
        return NanoClock.SYSTEM;
    }
}
