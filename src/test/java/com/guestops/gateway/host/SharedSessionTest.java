package com.guestops.gateway.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.helpers.test.UniAssertSubscriber;
import io.smallrye.mutiny.subscription.UniEmitter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * One login in flight, shared; failures forgotten, refusals kept for a back-off; a rejected session
 * renewed once for all its users and the call repeated once; replaced and last sessions logged out.
 */
class SharedSessionTest {

    private final AtomicInteger logins = new AtomicInteger();
    private final List<UniEmitter<? super String>> pending = new CopyOnWriteArrayList<>();
    private final List<String> loggedOut = new CopyOnWriteArrayList<>();
    private final List<String> results = new CopyOnWriteArrayList<>();
    private final AtomicLong now = new AtomicLong(1);
    private final SharedSession<String> session = new SharedSession<>("h", () -> {
        logins.incrementAndGet();
        return Uni.createFrom().emitter(pending::add);
    }, s -> {
        loggedOut.add(s);
        return Uni.createFrom().voidItem();
    }, results::add, Duration.ofSeconds(30), now::get);

    private static HostFailure refused() {
        return new HostFailure(HostFailure.Kind.LOGIN_REFUSED, "h", false, 401, "HTTP 401", null);
    }

    @Test
    void callersArrivingDuringALoginWaitForIt() {
        var a = session.session().subscribe().withSubscriber(UniAssertSubscriber.create());
        var b = session.session().subscribe().withSubscriber(UniAssertSubscriber.create());
        assertThat(logins).hasValue(1);

        pending.get(0).complete(new String("s1"));

        assertThat(a.awaitItem().getItem()).isEqualTo("s1");
        assertThat(b.getItem()).isSameAs(a.getItem());
        assertThat(session.session().await().indefinitely()).isSameAs(a.getItem());
        assertThat(logins).hasValue(1);
        assertThat(results).containsExactly("success");
    }

    @Test
    void aRefusedLoginIsKeptForItsBackOffThenTriedAgain() {
        var a = session.session().subscribe().withSubscriber(UniAssertSubscriber.create());
        pending.get(0).fail(refused());
        a.assertFailedWith(HostFailure.class);
        session.session().subscribe().withSubscriber(UniAssertSubscriber.create()).assertFailedWith(HostFailure.class);
        assertThat(logins).as("answered from memory during the back-off").hasValue(1);
        assertThat(results).containsExactly("refused");

        now.addAndGet(Duration.ofSeconds(31).toNanos());
        var b = session.session().subscribe().withSubscriber(UniAssertSubscriber.create());
        assertThat(logins).hasValue(2);
        pending.get(1).complete("s1");
        assertThat(b.awaitItem().getItem()).isEqualTo("s1");
    }

    @Test
    void aFailedLoginIsNotKept() {
        var a = session.session().subscribe().withSubscriber(UniAssertSubscriber.create());
        pending.get(0).fail(new HostFailure(HostFailure.Kind.TIMEOUT, "h", false, -1, "slow", null));
        a.assertFailedWith(HostFailure.class);

        var b = session.session().subscribe().withSubscriber(UniAssertSubscriber.create());
        assertThat(logins).hasValue(2);
        pending.get(1).complete("s2");
        assertThat(b.awaitItem().getItem()).isEqualTo("s2");
        assertThat(results).containsExactly("timeout", "success");
    }

    @Test
    void callsOfARejectedSessionShareOneRenewalAndAreRepeatedOnceAndTheOldSessionIsLoggedOut() {
        String stale = new String("s1");
        AtomicInteger calls = new AtomicInteger();
        var first = session.session().subscribe().withSubscriber(UniAssertSubscriber.create());
        pending.get(0).complete(stale);
        first.awaitItem();

        // two calls find s1 rejected; both wait for the one new login, then repeat with s2
        var a = session.call((s, renewed) -> {
            calls.incrementAndGet();
            return s == stale ? Uni.createFrom().failure(new SharedSession.Rejected(s, null)) : Uni.createFrom().item(s);
        }, () -> new IllegalStateException("fresh session rejected")).subscribe().withSubscriber(UniAssertSubscriber.create());
        var b = session.call((s, renewed) -> s == stale ? Uni.createFrom().<String>failure(new SharedSession.Rejected(s, null))
                : Uni.createFrom().item(s), () -> new IllegalStateException()).subscribe().withSubscriber(UniAssertSubscriber.create());
        assertThat(logins).hasValue(2);
        pending.get(1).complete("s2");

        assertThat(a.awaitItem().getItem()).isEqualTo("s2");
        assertThat(b.awaitItem().getItem()).isEqualTo("s2");
        assertThat(calls).hasValue(2);
        assertThat(loggedOut).containsExactly("s1");
    }

    @Test
    void aFreshSessionRejectedAgainIsReportedNotLoopedOn() {
        AtomicInteger calls = new AtomicInteger();
        var call = session.call((s, renewed) -> {
            calls.incrementAndGet();
            return Uni.createFrom().<String>failure(new SharedSession.Rejected(s, null));
        }, () -> new IllegalStateException("fresh session rejected")).subscribe().withSubscriber(UniAssertSubscriber.create());
        pending.get(0).complete("s1");
        pending.get(1).complete("s2");

        call.awaitFailure().assertFailedWith(IllegalStateException.class, "fresh session rejected");
        assertThat(calls).hasValue(2);
        assertThat(logins).hasValue(2);
    }

    @Test
    void closeLogsTheCurrentSessionOutAndTheNextCallLogsInAgain() {
        var first = session.session().subscribe().withSubscriber(UniAssertSubscriber.create());
        pending.get(0).complete("s1");
        first.awaitItem();

        session.close().await().atMost(Duration.ofSeconds(1));
        assertThat(loggedOut).containsExactly("s1");

        session.session().subscribe().withSubscriber(UniAssertSubscriber.create());
        assertThat(logins).hasValue(2);
    }

    @Test
    void aFailingLogoutNeverFailsAnyone() {
        SharedSession<String> failingLogout = new SharedSession<>("h", () -> Uni.createFrom().item("s1"),
                s -> Uni.createFrom().failure(new IllegalStateException("host gone")), r -> { }, Duration.ofSeconds(30), now::get);
        failingLogout.session().await().indefinitely();
        failingLogout.close().await().atMost(Duration.ofSeconds(1));
    }
}
