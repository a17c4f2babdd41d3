package com.guestops.gateway.terminate;

/**
 * What happened to one request, filled in as it travels (host chosen, attempts made) and read at the
 * end for metrics and the audit log. Written by one request's pipeline only, but possibly from
 * different threads in turn (event loop, fault-tolerance timer), hence volatile.
 */
public final class TerminateTrace {

    public static final String NO_HOST = "none";

    private final long startNanos = System.nanoTime();
    private final String requestId;
    private final String flavour;
    private volatile String vm;
    private volatile String pid;
    private volatile String guestUser;
    private volatile String caller;
    private volatile String host = NO_HOST;
    private volatile int attempts;

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

    public int attempts() {
        return attempts;
    }

    /** One more call to a host started (over all hosts, when a moved VM is followed). */
    public synchronized void attemptStarted() {
        attempts++;
    }
}
