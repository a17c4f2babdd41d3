package com.guestops.gateway.terminate;

import com.guestops.gateway.resilience.AttemptListener;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What happened to one request, filled in as it travels (host chosen, every attempt and its real
 * result at the host) and read at the end for metrics and the audit log. Written by one request's
 * pipeline, but from different threads in turn (event loop, a fault-tolerance timer), hence the locks.
 *
 * <p>{@link #settled()} completes when no attempt of the request is running or can still start: the
 * moment the audit can tell what really happened, which may be after the caller got its answer (a
 * deadline answers the caller at once; an attempt already at the host runs to its own end).
 */
public final class TerminateTrace implements AttemptListener {

    public static final String NO_HOST = "none";
    /** The {@link #hostResult()} of a request that never reached a host. */
    public static final String NO_RESULT = "none";
    /** The {@link #precondition()} of a request without {@code If-Match}. */
    public static final String NO_PRECONDITION = "none";

    private final long startNanos = System.nanoTime();
    private final String requestId;
    private final String flavour;
    private final String vm;
    private final String pid;
    private final CompletableFuture<Void> settled = new CompletableFuture<>();
    private volatile String guestUser;
    private volatile String caller;
    private volatile String host = NO_HOST;
    private volatile boolean workStarted;
    private volatile String action = TerminateCommand.Action.DELETE.wireName();
    private volatile String precondition = NO_PRECONDITION;
    /** When a conditional delete's lookup matched, and when its kill attempt started after that (0: not yet). */
    private long preconditionHeldNanos;
    private long killStartedNanos;
    private final List<String> results = new ArrayList<>();
    private int attempts;
    private int running;
    private boolean mayHaveHappened;

    /**
     * @param vm  the VM id as requested (maybe invalid: it is only reported, truncated)
     * @param pid the pid as requested (maybe invalid)
     */
    public TerminateTrace(String requestId, String flavour, String vm, String pid) {
        this.requestId = requestId;
        this.flavour = flavour;
        this.vm = truncate(vm);
        this.pid = truncate(pid);
    }

    private static String truncate(String value) {
        return value == null || value.length() <= 80 ? value : value.substring(0, 80) + "...";
    }

    public String requestId() {
        return requestId;
    }

    public String flavour() {
        return flavour;
    }

    public String vm() {
        return vm;
    }

    public String pid() {
        return pid;
    }

    /** Guest user name of the request (never its password or token). */
    public String guestUser() {
        return guestUser;
    }

    public void guestUser(String guestUser) {
        this.guestUser = guestUser;
    }

    /** The authenticated caller (subject), when caller authentication is on. */
    public String caller() {
        return caller;
    }

    public void caller(String caller) {
        this.caller = caller;
    }

    public long startNanos() {
        return startNanos;
    }

    public String host() {
        return host;
    }

    public void host(String host) {
        this.host = host;
    }

    /** {@code delete} or {@code get} (as asked; {@code delete} until the request has been parsed). */
    public String action() {
        return action;
    }

    public void action(String action) {
        this.action = action;
    }

    /** A delete's {@code If-Match}: {@code none}, {@code etag} or {@code any}. */
    public String precondition() {
        return precondition;
    }

    public void precondition(String precondition) {
        this.precondition = precondition;
    }

    /** A conditional delete's lookup found the process the caller named: its kill comes next. */
    synchronized void preconditionHeld() {
        preconditionHeldNanos = System.nanoTime();
    }

    /**
     * Microseconds from the conditional delete's matching lookup to the start of its kill attempt: the window in
     * which the guest could still give the pid to another process. Null when there was no such pair.
     */
    public synchronized Long preconditionWindowMicros() {
        return preconditionHeldNanos == 0 || killStartedNanos == 0 ? null
                : Math.max(0, (killStartedNanos - preconditionHeldNanos) / 1_000);
    }

    @Override
    public synchronized void attemptStarted(String host) {
        attempts++;
        running++;
        if (preconditionHeldNanos != 0 && killStartedNanos == 0) {
            killStartedNanos = System.nanoTime();
        }
    }

    @Override
    public synchronized void attemptEnded(String host, String result, boolean mayHaveHappened) {
        running--;
        results.add(result);
        this.mayHaveHappened |= mayHaveHappened;
    }

    /** Calls made to hosts (over all hosts, when a moved VM is followed). */
    public synchronized int attempts() {
        return attempts;
    }

    /** The real result of each attempt, in order ({@code success}, a vAPI error type, {@code timeout}, ...). */
    public synchronized List<String> attemptResults() {
        return List.copyOf(results);
    }

    /** The real result of the last attempt that ended, or {@value #NO_RESULT}. */
    public synchronized String hostResult() {
        return results.isEmpty() ? NO_RESULT : results.get(results.size() - 1);
    }

    /**
     * Whether the kill may have happened at a host: an attempt may have done it, or a kill attempt is still
     * running. A lookup still running (an action=get, or a conditional delete before its check) kills nothing.
     */
    public synchronized boolean mayHaveHappened() {
        return mayHaveHappened || running > 0 && killing();
    }

    /** A process lookup has been sent and no kill can have been: an action=get, or a conditional delete before its check. */
    public synchronized boolean lookingUp() {
        return attempts > 0 && !killing();
    }

    private boolean killing() {
        return TerminateCommand.Action.DELETE.wireName().equals(action)
                && (NO_PRECONDITION.equals(precondition) || preconditionHeldNanos != 0);
    }

    /** The use case has started work that may call hosts; {@link #settled()} completes when it is over. */
    void workStarted() {
        workStarted = true;
    }

    void settle() {
        settled.complete(null);
    }

    /**
     * Completes when every attempt of this request has ended and none can start any more; at once for a
     * request that never started such work (refused before routing).
     */
    public CompletableFuture<Void> settled() {
        return workStarted ? settled : CompletableFuture.completedFuture(null);
    }
}
