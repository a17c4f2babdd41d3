package com.guestops.gateway.host;

import com.guestops.gateway.config.NanoClock;
import com.guestops.gateway.host.HostFailure.Kind;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The one service-account session a host client keeps with its host, and the one place where "the
 * host dropped our session: log in again once and repeat the call once" is written (vim25 and vapi,
 * for kills and lookups alike).
 *
 * <ul>
 * <li>At most one login is in flight: the first caller starts it, every caller that arrives meanwhile
 *     waits for the same result, later callers reuse the session without contacting the host.</li>
 * <li>A call that finds its session rejected fails with {@link Rejected}; {@link #call} then renews
 *     that session: if no one renewed it yet, one new login; if another caller already did, its newer
 *     session. So N calls failing together on one expired session cause one re-login, not N. The call
 *     is repeated once; a session rejected right after a fresh login is reported, never looped on.</li>
 * <li>A replaced session is logged out (best effort, in the background, never delaying a caller), and
 *     {@link #close()} logs out the current one at shutdown: sessions do not pile up on hosts.</li>
 * <li>A failed login is forgotten at once, so the next call tries again; a login the host
 *     <em>refused</em> (wrong or locked service account) is kept for {@value #REFUSAL_BACKOFF_SECONDS} s
 *     and answered from memory meanwhile, so a stream of requests cannot lock the account out.</li>
 * </ul>
 *
 * @param <S> the session value (a cookie, a session id); compared by identity
 */
public final class SharedSession<S> {

    static final long REFUSAL_BACKOFF_SECONDS = 30;
    private static final Logger LOG = Logger.getLogger(SharedSession.class);

    /**
     * Thrown by a call whose session the host no longer accepts (vim25 {@code NotAuthenticated}, vapi
     * {@code 401} with {@code GET /api/session} confirming it).
     */
    public static final class Rejected extends RuntimeException {
        private final transient Object session;
        private final transient Throwable answerIfFresh;

        /**
         * @param answerIfFresh what to report if the session was fresh (null: the host's own rejection
         *                      is not a guest answer, and the caller of {@link #call} decides)
         */
        public Rejected(Object session, Throwable answerIfFresh) {
            super("session rejected", null, false, false);
            this.session = session;
            this.answerIfFresh = answerIfFresh;
        }
    }

    private final String host;
    private final Supplier<Uni<S>> login;
    private final Function<S, Uni<Void>> logout;
    private final Consumer<String> loginResults;
    private final long backoffNanos;
    private final NanoClock clock;
    private final AtomicReference<Entry<S>> current = new AtomicReference<>();

    /**
     * @param login        starts one real login each time it is subscribed
     * @param logout       ends one session at the host; bounded in time, may fail (it is best effort)
     * @param loginResults counts each real login once: success, refused, timeout, transport_error, error
     */
    public SharedSession(String host, Supplier<Uni<S>> login, Function<S, Uni<Void>> logout,
            Consumer<String> loginResults, NanoClock clock) {
        this(host, login, logout, loginResults, Duration.ofSeconds(REFUSAL_BACKOFF_SECONDS), clock);
    }

    SharedSession(String host, Supplier<Uni<S>> login, Function<S, Uni<Void>> logout, Consumer<String> loginResults,
            Duration refusalBackoff, NanoClock clock) {
        this.host = host;
        this.login = login;
        this.logout = logout;
        this.loginResults = loginResults;
        this.backoffNanos = refusalBackoff.toNanos();
        this.clock = clock;
    }

    /** A call made with a session; {@code renewed} is true for its one repeat with a renewed session. */
    @FunctionalInterface
    public interface Call<S, T> {
        Uni<T> apply(S session, boolean renewed);
    }

    /**
     * Runs {@code call} with the current session (logging in first when there is none). When it fails
     * with {@link Rejected}, renews that session once and repeats the call once.
     *
     * @param freshRejected the failure to report when even a fresh session is rejected and the
     *                      {@link Rejected} carries no answer of its own
     */
    public <T> Uni<T> call(Call<S, T> call, Supplier<Throwable> freshRejected) {
        return Uni.createFrom().deferred(() -> {
                    Entry<S> entry = entry();
                    S session = entry.value;
                    // logged in (the usual case): the call at once, not through the memoized login's subscription
                    return session != null ? call.apply(session, false) : entry.uni.chain(s -> call.apply(s, false));
                })
                // a rejected session refuses the call before it runs, so repeating it cannot act twice
                .onFailure(Rejected.class).recoverWithUni(failure -> {
                    @SuppressWarnings("unchecked")
                    S stale = (S) ((Rejected) failure).session;
                    LOG.debugf("Host %s: session rejected, logging in again once", host);
                    return renew(stale).chain(s -> call.apply(s, true)).onFailure(Rejected.class).transform(again -> {
                        Throwable answer = ((Rejected) again).answerIfFresh;
                        return answer != null ? answer : freshRejected.get();
                    });
                });
    }

    /** The current session, logging in first when there is none. Lazy: evaluated per subscription. */
    public Uni<S> session() {
        return Uni.createFrom().deferred(() -> entry().uni);
    }

    /**
     * Logs out the current session (shutdown): bounded by the logout's own timeout, never fails. A
     * later call logs in again.
     */
    public Uni<Void> close() {
        return Uni.createFrom().deferred(() -> {
            Entry<S> entry = current.getAndSet(null);
            return entry == null || entry.value == null ? Uni.createFrom().voidItem() : quietLogout(entry.value);
        });
    }

    /**
     * A session other than {@code stale}: drops {@code stale} if it is still the current one (and logs
     * it out in the background) and logs in again, or returns the session another caller already got.
     */
    Uni<S> renew(S stale) {
        return Uni.createFrom().deferred(() -> {
            Entry<S> entry = current.get();
            if (entry != null && entry.value == stale && current.compareAndSet(entry, null)) {
                // best effort: the host may already have dropped it; never awaited by anyone
                quietLogout(stale).subscribe().with(ignored -> { }, ignored -> { });
            }
            return entry().uni;
        });
    }

    private Uni<Void> quietLogout(S session) {
        return Uni.createFrom().deferred(() -> logout.apply(session))
                .onFailure().recoverWithItem(f -> {
                    LOG.debugf("Host %s: logout failed (%s)", host, f.getMessage());
                    return null;
                });
    }

    private Entry<S> entry() {
        while (true) {
            Entry<S> existing = current.get();
            if (existing != null && existing.refusedAt != 0 && clock.nanoTime() - existing.refusedAt >= backoffNanos) {
                current.compareAndSet(existing, null); // the back-off after a refused login is over
                continue;
            }
            if (existing != null) {
                return existing;
            }
            Entry<S> fresh = new Entry<>();
            fresh.uni = Uni.createFrom().deferred(login::get)
                    .invoke(session -> {
                        fresh.value = session;
                        loginResults.accept("success");
                    })
                    // forget a failed login before anyone sees the failure, so the next call retries;
                    // a refused one is kept (and replayed) until its back-off is over
                    .onFailure().invoke(f -> {
                        loginResults.accept(loginResult(f));
                        if (f instanceof HostFailure h && h.kind() == Kind.LOGIN_REFUSED) {
                            fresh.refusedAt = Math.max(1, clock.nanoTime());
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

    static String loginResult(Throwable failure) {
        if (!(failure instanceof HostFailure h)) {
            return "error";
        }
        return switch (h.kind()) {
            case LOGIN_REFUSED -> "refused";
            case TIMEOUT -> "timeout";
            case REFUSED, UNREACHABLE, CONNECTION_LOST -> "transport_error";
            default -> "error";
        };
    }

    private static final class Entry<S> {
        volatile Uni<S> uni;
        volatile S value;
        volatile long refusedAt;
    }
}
