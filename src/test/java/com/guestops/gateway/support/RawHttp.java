package com.guestops.gateway.support;

import io.restassured.RestAssured;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket to the application under test (loopback only), for requests no HTTP client
 * would send: bare LF line endings, over-long request lines, malformed paths, trickled heads and bodies.
 */
public final class RawHttp implements AutoCloseable {

    /** One parsed response: status, headers (lower-case names), body. */
    public record Answer(int status, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final Socket socket;
    private final InputStream in;

    private RawHttp(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
    }

    /** A connection to the test application; reads give up after {@code readTimeoutMillis}. */
    public static RawHttp connect(int readTimeoutMillis) throws IOException {
        Socket socket = new Socket("127.0.0.1", RestAssured.port);
        socket.setSoTimeout(readTimeoutMillis);
        socket.setTcpNoDelay(true);
        return new RawHttp(socket);
    }

    public RawHttp send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    public RawHttp send(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
        return this;
    }

    /** Reads one response (content-length delimited), or fails when the server closes or stays silent first. */
    public Answer read() throws IOException {
        String head = readHead();
        String[] lines = head.split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        byte[] body = in.readNBytes(length);
        if (body.length < length) {
            throw new IOException("connection closed inside a response body");
        }
        return new Answer(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    /** Reads every response until the server closes the connection. */
    public List<Answer> readAll() throws IOException {
        List<Answer> answers = new ArrayList<>();
        while (true) {
            int first = in.read();
            if (first < 0) {
                return answers;
            }
            pushedBack = first;
            answers.add(read());
        }
    }

    /** True when the server has closed the connection (end of stream) within the read timeout; bytes sent before are skipped. */
    public boolean closedByServer() throws IOException {
        try {
            while (in.read() >= 0) {
                // skip
            }
            return true;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    private int pushedBack = -1;

    private String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b;
            if (pushedBack >= 0) {
                b = pushedBack;
                pushedBack = -1;
            } else {
                b = in.read();
            }
            if (b < 0) {
                throw new IOException("connection closed after " + head.size() + " bytes of a response head: " + head);
            }
            head.write(b);
            matched = (b == '\r' || b == '\n') && "\r\n\r\n".charAt(matched) == b ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        return text.substring(0, text.length() - 4);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
