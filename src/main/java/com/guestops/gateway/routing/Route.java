package com.guestops.gateway.routing;

import com.guestops.gateway.resilience.GuardedHost;

/**
 * The guarded host a request goes to, and how that was decided. Only a discovered route may be
 * followed to another host when its owner says the VM is not there any more (it moved).
 */
public record Route(GuardedHost host, Kind kind) {

    public enum Kind {
        /** From {@code gateway.vms}: configuration always wins. */
        STATIC,
        /** Found by asking the hosts (now or earlier, from the cache). */
        DISCOVERED
    }

    public boolean discovered() {
        return kind == Kind.DISCOVERED;
    }
}
