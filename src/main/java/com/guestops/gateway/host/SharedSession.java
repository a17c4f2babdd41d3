package com.guestops.gateway.host;

import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The one login session a host client keeps with its host.
 *
 * <p>At most one login is in flight at a time: the first caller starts it, every caller that arrives
 * meanwhile waits for the same (memoized) result, and later callers reuse the session without
 * contacting the host. A failed login is forgotten at once, so the next call tries again.
 *
 * <p>When a call finds its session expired it asks for {@link #renew(Object)} with the session it
 * used: if no one renewed it yet, that starts a new login; if another caller already did, it gets
 * that newer session. So N calls failing together on one expired session cause one re-login, not N.
 *
 * <p>A shared login completes on the thread of the caller that started it: callers hop back to their
 * own Vert.x context themselves (see {@link HostCalls#attempt}).
 *
 * <p>A login the host <em>refused</em> (wrong or locked service-account credentials) is the exception
 * to "forgotten at once": it is kept for a back-off, and calls meanwhile fail with it without
 * contacting the host, so a stream of requests cannot lock the account out (directory services lock
 * an account after a handful of failed logins).
 *
 * @param <S> the session value (a cookie, a session id); compared by identity
 */
public final class SharedSession<S> {

    private final Supplier<Uni<S>> login;
    private final Predicate<Throwable> refusal;
    private final long backoffNanos;
    private final LongSupplier clock;
    private final AtomicReference<Entry<S>> current = new AtomicReference<>();

    /** @param login starts one real login each time it is called (and subscribed) */
    public SharedSession(Supplier<Uni<S>> login) {
        this(login, f -> false, Duration.ZERO, System::nanoTime);
    }

    /**
     * @param refusal tells a refused login (kept for {@code backoff}) from other failures (forgotten at once)
     */
    public SharedSession(Supplier<Uni<S>> login, Predicate<Throwable> refusal, Duration backoff, LongSupplier clock) {
        this.login = login;
        this.refusal = refusal;
        this.backoffNanos = backoff.toNanos();
        this.clock = clock;
    }

    /** The current session, logging in first when there is none. Lazy: evaluated per subscription. */
    public Uni<S> get() {
        return Uni.createFrom().deferred(() -> entry().uni);
    }

    /**
     * A session other than {@code stale}: drops {@code stale} if it is still the current one and logs
     * in again, or returns the session that another caller has already obtained.
     */
    public Uni<S> renew(S stale) {
        return Uni.createFrom().deferred(() -> {
            Entry<S> entry = current.get();
            if (entry != null && entry.value == stale) {
                current.compareAndSet(entry, null);
            }
            return entry().uni;
        });
    }

    /** Forgets the session without logging out (tests; a host that was reconfigured). */
    public void forget() {
        current.set(null);
    }

    /** True when a session is established (a login has succeeded and has not been dropped). */
    public boolean established() {
        Entry<S> entry = current.get();
        return entry != null && entry.value != null;
    }

    private Entry<S> entry() {
        while (true) {
            Entry<S> existing = current.get();
            if (existing != null && existing.refusedAt != 0 && clock.getAsLong() - existing.refusedAt >= backoffNanos) {
                current.compareAndSet(existing, null); // the back-off after a refused login is over
                continue;
            }
            if (existing != null) {
                return existing;
            }
            Entry<S> fresh = new Entry<>();
            fresh.uni = Uni.createFrom().deferred(login::get)
                    .invoke(session -> fresh.value = session)
                    // forget a failed login before anyone sees the failure, so the next call retries;
                    // a refused one is kept (and replayed) until its back-off is over
                    .onFailure().invoke(f -> {
                        if (backoffNanos > 0 && refusal.test(f)) {
                            fresh.refusedAt = Math.max(1, clock.getAsLong());
                        } else {
                            current.compareAndSet(fresh, null);
                        }
                    })
                    .memoize().indefinitely();
            if (current.compareAndSet(null, fresh)) {
                return fresh;
            }
        }
    }

    private static final class Entry<S> {
        volatile Uni<S> uni;
        volatile S value;
        volatile long refusedAt;
    }
}
