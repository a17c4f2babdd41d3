package com.guestops.gateway.api;

import static com.guestops.gateway.support.VapiCall.delete;
import static org.assertj.core.api.Assertions.assertThat;

import com.guestops.gateway.support.Simulators;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The request path, host call included, runs on a Vert.x event-loop thread, not a worker. */
@QuarkusTest
class EventLoopTest {

    @Inject
    Simulators simulators;

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void hostCallRunsOnTheEventLoop(Flavour flavour) {
        delete(flavour, "vm-1", 1999).send().assertSuccess();
        assertThat(simulators.demo().lastCallThread()).startsWith("vert.x-eventloop-thread-");
    }
}
