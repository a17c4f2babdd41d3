package com.guestops.gateway.api;

import com.guestops.gateway.error.ErrorSource;
import com.guestops.gateway.error.VapiException;
import com.guestops.gateway.host.LoopTimers;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.time.Duration;
import java.util.Map;

/**
 * Reads the body of a terminate request, on the event loop, with the 64 KiB cap and a time limit
 * ({@code gateway.http.body-timeout}): the same way over HTTP/1.1
 * (declared or chunked) and HTTP/2 (with or without a {@code content-length}), so that an oversized body gets
 * the same vAPI answer, is counted and audited, whatever the protocol.
 *
 * <p>Read here rather than by Vert.x Web's {@code BodyHandler}, whose cap answers a bare 413 (with a
 * {@code Connection} header, which HTTP/2 forbids) instead of the vAPI error, and which no timer bounds.
 */
final class RequestBody {

    private static final byte[] NONE = new byte[0];

    private RequestBody() {
    }

    /**
     * @param timeout how long the whole body may take, from now; then 408 {@code body_timeout} (a client that
     *                trickles its body must not hold the request, and its connection, open)
     */
    static Uni<byte[]> read(HttpServerRequest request, Duration timeout) {
        if (request.isEnded()) {
            return Uni.createFrom().item(NONE);
        }
        return Uni.createFrom().emitter(emitter -> {
            Buffer body = Buffer.buffer();
            boolean[] settled = {false};
            // on the request's Vert.x context, so that the answer, like the body, is handled on the request's event
            // loop (where the operation's route runs)
            LoopTimers.Timeout timer = LoopTimers.start(Vertx.currentContext().owner(), System.nanoTime() + timeout.toNanos(), () -> {
                if (!settled[0]) {
                    settled[0] = true;
                    emitter.fail(HttpRefusal.bodyTimeout(timeout).over(request.version()));
                }
            });
            emitter.onTermination(timer::cancel);
            request.handler(chunk -> {
                if (settled[0]) {
                    return; // refused: the rest is read and dropped until the stream or connection ends
                }
                if (body.length() + chunk.length() > TerminateRequestParser.MAX_BODY_BYTES) {
                    settled[0] = true;
                    emitter.fail(tooLarge(request));
                    return;
                }
                body.appendBuffer(chunk);
            });
            request.endHandler(v -> {
                if (!settled[0]) {
                    settled[0] = true;
                    emitter.complete(body.getBytes());
                }
            });
            request.exceptionHandler(e -> {
                if (!settled[0]) {
                    settled[0] = true;
                    emitter.fail(TerminateRequestParser.invalid("request.unreadable", "The request could not be read.", "request"));
                }
            });
            if ("100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT))) {
                request.response().writeContinue(); // curl asks before sending a body over 1 KiB
            }
            request.resume();
        });
    }

    /** The body cap's answer; over HTTP/1.x the connection closes after it, since the rest of the body may still come. */
    static VapiException tooLarge(HttpServerRequest request) {
        VapiException refusal = TerminateRequestParser.invalid("body.too_large",
                "The request body must not be larger than 65536 bytes.", "body");
        boolean http1 = request.version() == HttpVersion.HTTP_1_1 || request.version() == HttpVersion.HTTP_1_0;
        return http1 ? new VapiException(refusal.error(), ErrorSource.GATEWAY, Map.of(HttpHeaders.CONNECTION.toString(), "close"))
                : refusal;
    }
}
