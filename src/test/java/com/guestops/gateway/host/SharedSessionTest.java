package com.guestops.gateway.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.smallrye.mutiny.helpers.test.UniAssertSubscriber;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** One login in flight, shared; failures forgotten; a stale session renewed once for all its users. */
class SharedSessionTest {

    private final AtomicInteger logins = new AtomicInteger();
    private final List<UniEmitter<? super String>> pending = new CopyOnWriteArrayList<>();
    private final SharedSession<String> session = new SharedSession<>(() -> {
        logins.incrementAndGet();
        return Uni.createFrom().emitter(pending::add);
    });

    @Test
    void callersArrivingDuringALoginWaitForIt() {
        var a = session.get().subscribe().withSubscriber(UniAssertSubscriber.create());
        var b = session.get().subscribe().withSubscriber(UniAssertSubscriber.create());
        assertThat(logins).hasValue(1);

        pending.get(0).complete(new String("s1"));

        assertThat(a.awaitItem().getItem()).isEqualTo("s1");
        assertThat(b.getItem()).isSameAs(a.getItem());
        assertThat(session.get().await().indefinitely()).isSameAs(a.getItem());
        assertThat(logins).hasValue(1);
    }

    @Test
    void aRefusedLoginIsKeptForItsBackOffThenTriedAgain() {
        java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong(1);
        AtomicInteger tries = new AtomicInteger();
        List<UniEmitter<? super String>> emitters = new CopyOnWriteArrayList<>();
        SharedSession<String> refusing = new SharedSession<>(() -> {
            tries.incrementAndGet();
            return Uni.createFrom().emitter(emitters::add);
        }, f -> f instanceof SecurityException, java.time.Duration.ofSeconds(30), now::get);

        var a = refusing.get().subscribe().withSubscriber(UniAssertSubscriber.create());
        emitters.get(0).fail(new SecurityException("refused"));
        a.assertFailedWith(SecurityException.class);
        refusing.get().subscribe().withSubscriber(UniAssertSubscriber.create()).assertFailedWith(SecurityException.class);
        assertThat(tries).as("answered from memory during the back-off").hasValue(1);

        now.addAndGet(java.time.Duration.ofSeconds(31).toNanos());
        var b = refusing.get().subscribe().withSubscriber(UniAssertSubscriber.create());
        assertThat(tries).hasValue(2);
        emitters.get(1).complete("s1");
        assertThat(b.awaitItem().getItem()).isEqualTo("s1");
    }

    @Test
    void aFailedLoginIsNotKept() {
        var a = session.get().subscribe().withSubscriber(UniAssertSubscriber.create());
        pending.get(0).fail(new IllegalStateException("refused"));
        a.assertFailedWith(IllegalStateException.class);
        assertThat(session.established()).isFalse();

        var b = session.get().subscribe().withSubscriber(UniAssertSubscriber.create());
        assertThat(logins).hasValue(2);
        pending.get(1).complete("s2");
        assertThat(b.awaitItem().getItem()).isEqualTo("s2");
    }

    @Test
    void callersOfAStaleSessionShareOneRenewal() {
        var first = session.get().subscribe().withSubscriber(UniAssertSubscriber.create());
        String stale = new String("s1");
        pending.get(0).complete(stale);
        first.awaitItem();

        var a = session.renew(stale).subscribe().withSubscriber(UniAssertSubscriber.create());
        var b = session.renew(stale).subscribe().withSubscriber(UniAssertSubscriber.create());
        assertThat(logins).hasValue(2);
        pending.get(1).complete("s2");

        assertThat(a.awaitItem().getItem()).isEqualTo("s2");
        assertThat(b.awaitItem().getItem()).isEqualTo("s2");
        // renewing an already replaced session does not log in again
        assertThat(session.renew(stale).await().indefinitely()).isEqualTo("s2");
        assertThat(logins).hasValue(2);
    }
}
