package com.guestops.gateway.terminate;

/**
 * What happened to one request, filled in as it travels (host chosen, attempts made) and read at the
 * end for metrics and the audit log. Written by one request's pipeline only, but possibly from
 * different threads in turn (event loop, fault-tolerance timer), hence volatile.
 */
public final class TerminateTrace {

    public static final String NO_HOST = "none";

    private final long startNanos = System.nanoTime();
    private volatile String host = NO_HOST;
    private volatile int attempts;

    public long startNanos() {
        return startNanos;
    }

    public String host() {
        return host;
    }

    public void host(String host) {
        this.host = host;
    }

    public int attempts() {
        return attempts;
    }

    public void attempts(int attempts) {
        this.attempts = attempts;
    }
}
