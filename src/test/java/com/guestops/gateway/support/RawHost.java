package com.guestops.gateway.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A vAPI host that misbehaves at the socket level, where WireMock cannot: it logs the gateway in, then
 * answers a terminate for {@code vm-raw-endless} with a 200 whose body never ends, and never answers one
 * for {@code vm-raw-hang}. It records what the gateway did about it (how many body bytes it managed to
 * write before the connection was closed; how long a hanging request was kept open), readable at
 * {@code GET /stats}. Loopback only; every connection is bounded (256 MiB, 20 s).
 */
public final class RawHost implements AutoCloseable {

    private static final long MAX_BYTES = 256L * 1024 * 1024;
    private static final int MAX_MILLIS = 20_000;

    private final ServerSocket server;
    private final Thread acceptor;
    private final AtomicLong endlessBytes = new AtomicLong(-1);
    private final AtomicLong endlessClosedAfterMs = new AtomicLong(-1);
    private final AtomicLong hangClosedAfterMs = new AtomicLong(-1);

    public RawHost() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::accept, "raw-host");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Thread t = new Thread(() -> serve(socket), "raw-host-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setSoTimeout(MAX_MILLIS);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                String requestLine = head.substring(0, head.indexOf("\r\n"));
                int length = contentLength(head);
                in.readNBytes(length);
                String path = requestLine.split(" ")[1];
                if (requestLine.startsWith("GET /stats")) {
                    respond(out, 200, "{\"endless_bytes\":" + endlessBytes.get() + ",\"endless_closed_after_ms\":"
                            + endlessClosedAfterMs.get() + ",\"hang_closed_after_ms\":" + hangClosedAfterMs.get() + "}");
                } else if (requestLine.startsWith("POST /stats/reset")) {
                    endlessBytes.set(-1);
                    endlessClosedAfterMs.set(-1);
                    hangClosedAfterMs.set(-1);
                    respond(out, 204, "");
                } else if (path.endsWith("/api/session") && requestLine.startsWith("POST")) {
                    respond(out, 201, "\"raw-session\"");
                } else if (path.endsWith("/api/session")) {
                    respond(out, requestLine.startsWith("DELETE") ? 204 : 200, requestLine.startsWith("DELETE") ? "" : "{}");
                } else if (path.contains("/vm-raw-endless/")) {
                    endless(out);
                    return;
                } else if (path.contains("/vm-raw-hang/")) {
                    hang(in);
                    return;
                } else {
                    respond(out, 404, "{\"error_type\":\"NOT_FOUND\",\"messages\":[]}");
                }
            }
        } catch (IOException e) {
            // the gateway closed the connection: that is what is being observed
        }
    }

    private void endless(OutputStream out) {
        long start = System.nanoTime();
        long written = 0;
        byte[] chunk = new byte[16 * 1024];
        Arrays.fill(chunk, (byte) 'x');
        try {
            out.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            while (written < MAX_BYTES && System.nanoTime() - start < MAX_MILLIS * 1_000_000L) {
                out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(chunk);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                written += chunk.length;
                endlessBytes.set(written);
            }
        } catch (IOException closed) {
            endlessClosedAfterMs.set((System.nanoTime() - start) / 1_000_000);
        }
        endlessBytes.set(written);
    }

    private void hang(InputStream in) {
        long start = System.nanoTime();
        try {
            while (in.read() >= 0) {
                // the gateway sent more than the request; keep waiting
            }
        } catch (SocketTimeoutException stillOpen) {
            return; // never closed by the gateway within the bound: -1 stays
        } catch (IOException closed) {
            // reset by the gateway
        }
        hangClosedAfterMs.set((System.nanoTime() - start) / 1_000_000);
    }

    private static void respond(OutputStream out, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + " X\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length + "\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            matched = (b == '\r' || b == '\n') ? matched + 1 : 0;
            if (matched == 4) {
                return head.toString(StandardCharsets.US_ASCII);
            }
            if (head.size() > 64 * 1024) {
                return null;
            }
        }
        return null;
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Integer.parseInt(line.substring("content-length:".length()).trim());
            }
        }
        return 0;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
