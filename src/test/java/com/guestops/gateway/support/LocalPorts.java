package com.guestops.gateway.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/** Ports of an application a test started as its own process, on the loopback address. */
public final class LocalPorts {

    private LocalPorts() {
    }

    /**
     * Whether {@code port} accepts a connection now (within 2 s). Quarkus opens its management port and its
     * application port side by side, so the first answering ready does not yet mean the second accepts.
     */
    public static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }
}
