package com.guestops.gateway.api;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.quarkus.vertx.http.runtime.VertxHttpRecorder;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.Http1xOrH2CHandler;
import io.vertx.core.http.impl.HttpServerConnection;
import io.vertx.core.json.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Guards one connection of the application's HTTP server, in front of Vert.x (installed by {@link ConnectionGuards}):
 *
 * <ul>
 * <li><b>Request heads Vert.x would answer bare.</b> An HTTP/1.1 head the codec cannot read (a request line over
 *     {@code quarkus.http.limits.max-initial-line-length}: 414; headers over {@code max-header-size}: 431; a bare LF
 *     line ending or an invalid header: 400) or whose path is not a URI (Quarkus' own check, 400) is answered here
 *     in the vAPI shape of its flavour, with a request id, counted and audited ({@link HttpRefusal}); the
 *     connection is then closed. Vert.x and Quarkus never see the request, so they never answer it with an
 *     empty body.</li>
 * <li><b>Slow heads.</b> A request head must arrive within {@code gateway.http.header-timeout}, counted from the
 *     accept for the first request and from the first byte of each later one: a trickled head is answered 408 and
 *     the connection closed, a silent connection is closed.</li>
 * <li><b>A body still trickling after its answer</b> (on a path whose route answered without reading it) is cut off
 *     after {@code gateway.http.body-timeout}. Bodies the operation reads have their own limit ({@link RequestBody}).</li>
 * </ul>
 *
 * <p>Two Netty handlers share this state, both on the connection's event loop: {@link #head()} first in the pipeline
 * (raw bytes: arrival times, the first bytes of each head), and {@link #decoded()} right after Vert.x's HTTP/1.1
 * codec and before Vert.x's connection handler (each decoded request and response). Vert.x adds its HTTP/1.1
 * handlers only once it has seen that a connection does not start with the HTTP/2 preface, and dispatches the
 * first request as soon as it is decoded; so the head feeds Vert.x the first bytes one at a time until the codec
 * is in place, and puts the second handler behind it before the request can be complete. HTTP/2 connections
 * (prior knowledge or upgraded) get only the URI check ({@link #guardHttp2}): Netty's HTTP/2 codec reads whole
 * requests and answers malformed frames itself, and {@code quarkus.http.idle-timeout} still applies.
 */
final class ConnectionGuard {

    /** Netty names of the guard's handlers, and of the Vert.x ones it places itself between. */
    static final String HEAD = "guestops-connection-guard";
    static final String DECODED = "guestops-request-guard";
    private static final String VERTX_H2C_UPGRADE = "h2c";
    private static final String VERTX_HTTP1_DECODER = "httpDecoder";
    private static final String VERTX_CONNECTION = "handler";

    /** Bytes of each request head kept to name the flavour of a request line the codec could not read. */
    private static final int PREFIX_BYTES = 256;
    /** What the guard needs from the application: its limits, and where refused requests are counted and audited. */
    interface Edge {
        Duration headerTimeout();

        Duration bodyTimeout();

        int maxInitialLineLength();

        long maxHeaderSize();

        /** Counts and audits a refusal (on the event loop; must not block). */
        void refused(OperationPath path, String requestId, HttpRefusal refusal);

        /** Counts a connection closed for being slow (phase {@code header} or {@code body}). */
        void timedOut(String phase);
    }

    private enum Phase {
        /** Waiting for the first byte of the next request head (keep-alive: {@code quarkus.http.idle-timeout}). */
        IDLE,
        /** A request head is arriving (for the first request: from the accept). */
        HEAD,
        /** The head is complete; its body (if any) is arriving. */
        BODY
    }

    private final Edge edge;
    private final Head head = new Head();
    private final Decoded decoded = new Decoded();

    private Phase phase = Phase.HEAD;
    private boolean http1;
    private boolean standingAside;
    /** Whether the head handler has found its place (behind the TLS handler on an HTTPS connection). */
    private boolean placed;
    private ChannelHandlerContext headContext;
    private ChannelHandlerContext decodedContext;
    /** The one timer scheduled for this connection, if any, and when it fires ({@link System#nanoTime()}). */
    private ScheduledFuture<?> timer;
    private long timerAtNanos;
    /** What runs when the current limit passes, and when that is; null while nothing is limited. */
    private Runnable onLimit;
    private long limitAtNanos;
    private final byte[] prefix = new byte[PREFIX_BYTES];
    private int prefixLength;
    private int headBytes;
    /** Requests passed on to Vert.x whose final response has not been written completely. */
    private int pendingResponses;
    private boolean interimResponse;
    private boolean refusing;
    private FullHttpResponse deferredRefusal;

    ConnectionGuard(Edge edge) {
        this.edge = edge;
    }

    ChannelInboundHandlerAdapter head() {
        return head;
    }

    ChannelDuplexHandler decoded() {
        return decoded;
    }

    /**
     * Raw bytes, first in the pipeline (behind TLS on an HTTPS connection). One per connection; "sharable" only so that
     * Netty lets it be added a second time, when it moves behind the TLS handler.
     */
    @ChannelHandler.Sharable
    private final class Head extends ChannelInboundHandlerAdapter {

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            headContext = ctx;
            arm(edge.headerTimeout(), this::headerTimedOut); // the first request's head: from the accept
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            cancelTimer();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!placed) {
                placed = true;
                if (behindTls(ctx, msg)) {
                    return;
                }
            }
            if (standingAside || !(msg instanceof ByteBuf bytes)) {
                ctx.fireChannelRead(msg);
                return;
            }
            if (refusing) {
                bytes.release(); // the connection closes once the refusal is written
                return;
            }
            if (phase == Phase.IDLE && bytes.isReadable()) {
                phase = Phase.HEAD;
                prefixLength = 0;
                headBytes = 0;
                arm(edge.headerTimeout(), this::headerTimedOut);
            }
            if (phase == Phase.HEAD) {
                int keep = Math.min(PREFIX_BYTES - prefixLength, bytes.readableBytes());
                bytes.getBytes(bytes.readerIndex(), prefix, prefixLength, keep);
                prefixLength += keep;
                headBytes += bytes.readableBytes();
            }
            if (!http1) {
                feedUntilTheCodecIsInPlace(ctx, bytes);
            } else {
                ctx.fireChannelRead(bytes);
            }
        }

        /**
         * Vert.x decides between HTTP/1.1 and HTTP/2 from the first bytes, then adds its HTTP/1.1 codec; the
         * request guard must sit behind the codec before a whole request head has gone through it.
         */
        private void feedUntilTheCodecIsInPlace(ChannelHandlerContext ctx, ByteBuf bytes) {
            ChannelPipeline pipeline = ctx.pipeline();
            while (bytes.isReadable() && !http1 && !standingAside) {
                ctx.fireChannelRead(bytes.readRetainedSlice(1));
                if (pipeline.get(Http1xOrH2CHandler.class) != null) {
                    continue; // still undecided (a "P" could begin the HTTP/2 preface)
                }
                if (pipeline.get(VERTX_H2C_UPGRADE) != null) {
                    pipeline.addAfter(VERTX_H2C_UPGRADE, DECODED, decoded);
                    http1 = true;
                } else if (pipeline.get(VERTX_HTTP1_DECODER) != null && pipeline.get(VERTX_CONNECTION) != null) {
                    pipeline.addBefore(VERTX_CONNECTION, DECODED, decoded); // HTTP/2 switched off: HTTP/1.1 only
                    http1 = true;
                } else {
                    guardHttp2(pipeline); // HTTP/2 with prior knowledge (or a pipeline this guard does not know)
                    standAside();
                }
            }
            if (bytes.isReadable()) {
                ctx.fireChannelRead(bytes);
            } else {
                bytes.release();
            }
        }

        private void headerTimedOut() {
            if (phase != Phase.HEAD) {
                return;
            }
            edge.timedOut("header");
            if (headBytes == 0 || decodedContext == null || pendingResponses > 0) {
                headContext.close(); // nothing to answer (a silent connection), or an earlier answer still owed
                return;
            }
            OperationPath path = OperationPath.of(requestTarget());
            refuse(path, null, HttpRefusal.headerTimeout(edge.headerTimeout()));
        }

        /**
         * On the HTTPS server the guard is put in front of a connection before Vert.x adds its TLS handler behind it,
         * so the first bytes it sees are the TLS handshake. It moves behind the TLS handler then, to read requests
         * in clear; being added there arms the header timeout anew, which so bounds the handshake and the first
         * head together. Until the first bytes, the timer armed at the accept closes a silent connection.
         */
        private boolean behindTls(ChannelHandlerContext ctx, Object msg) {
            ChannelPipeline pipeline = ctx.pipeline();
            ChannelHandlerContext tls = pipeline.context(SslHandler.class);
            List<String> names = pipeline.names();
            if (tls == null || names.indexOf(tls.name()) < names.indexOf(ctx.name())) {
                return false; // plain HTTP, or already reading behind TLS
            }
            pipeline.remove(this);
            pipeline.addAfter(tls.name(), HEAD, this);
            // the guard was first in the pipeline: from its head, the bytes reach the TLS handler as they would have
            pipeline.fireChannelRead(msg);
            return true;
        }

        /** The request target from the kept first bytes of the head: "METHOD SP target SP ...". */
        private String requestTarget() {
            String start = new String(prefix, 0, prefixLength, StandardCharsets.ISO_8859_1);
            int from = start.indexOf(' ');
            if (from < 0) {
                return null;
            }
            int to = start.indexOf(' ', from + 1);
            int end = to < 0 ? start.length() : to;
            int lineEnd = start.indexOf('\n', from + 1);
            return start.substring(from + 1, lineEnd >= 0 && lineEnd < end ? lineEnd : end).trim();
        }
    }

    /** Decoded HTTP/1.1 messages, between Vert.x's codec and its connection handler. */
    private final class Decoded extends ChannelDuplexHandler {

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            decodedContext = ctx;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest request) {
                headComplete();
                if (refusing) {
                    ReferenceCountUtil.release(msg);
                    return;
                }
                HttpRefusal refusal = check(request);
                if (refusal != null) {
                    ReferenceCountUtil.release(msg);
                    refuse(OperationPath.of(target(request)), request.headers().get(RequestIds.HEADER), refusal);
                    return;
                }
                pendingResponses++;
                ctx.fireChannelRead(msg);
                if (msg instanceof LastHttpContent) {
                    requestComplete();
                }
            } else if (msg instanceof HttpContent content) {
                if (refusing) {
                    content.release();
                    return;
                }
                ctx.fireChannelRead(msg);
                if (msg instanceof LastHttpContent) {
                    requestComplete();
                }
            } else if (!standingAside) {
                guardHttp2(ctx.pipeline()); // upgraded to HTTP/2 (h2c): frames from here on
                standAside();
                ctx.fireChannelRead(msg);
            } else {
                ctx.fireChannelRead(msg);
            }
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            boolean finalResponseEnds = false;
            if (msg instanceof HttpResponse response) {
                HttpResponseStatus status = response.status();
                interimResponse = status.codeClass() == HttpStatusClass.INFORMATIONAL
                        && status.code() != HttpResponseStatus.SWITCHING_PROTOCOLS.code();
            }
            if (msg instanceof LastHttpContent) {
                finalResponseEnds = !interimResponse;
                interimResponse = false;
            }
            ctx.write(msg, promise);
            if (finalResponseEnds && pendingResponses > 0 && --pendingResponses == 0 && deferredRefusal != null) {
                FullHttpResponse refusal = deferredRefusal;
                deferredRefusal = null;
                ctx.writeAndFlush(refusal).addListener(ChannelFutureListener.CLOSE);
            } else if (finalResponseEnds && phase == Phase.BODY && pendingResponses == 0) {
                // answered before its body was read (the route did not need it): the rest may still trickle in
                arm(edge.bodyTimeout(), this::bodyTimedOut);
            }
        }

        private void bodyTimedOut() {
            if (phase == Phase.BODY && pendingResponses == 0) {
                edge.timedOut("body");
                ctx().close();
            }
        }

        private ChannelHandlerContext ctx() {
            return decodedContext;
        }

        /** Decoder failures first (the request is not HTTP), then Quarkus' own URI check, answered in vAPI shape. */
        private HttpRefusal check(HttpRequest request) {
            if (request.decoderResult().isFailure()) {
                Throwable cause = request.decoderResult().cause();
                if (cause instanceof TooLongHttpLineException) {
                    return HttpRefusal.lineTooLong(edge.maxInitialLineLength());
                }
                if (cause instanceof TooLongHttpHeaderException) {
                    return HttpRefusal.headersTooLarge(edge.maxHeaderSize());
                }
                return HttpRefusal.malformed();
            }
            return UriCheck.valid(request.uri()) ? null : HttpRefusal.pathInvalid();
        }

        /** The target as sent, or, when the codec could not read the request line, as far as the head kept it. */
        private String target(HttpRequest request) {
            return request.decoderResult().isFailure() && request.decoderResult().cause() instanceof TooLongHttpLineException
                    || "/bad-request".equals(request.uri()) && request.protocolVersion() == HttpVersion.HTTP_1_0
                    ? head.requestTarget() : request.uri();
        }
    }

    /** Netty's codec follows every head with its body, or with an empty last content when there is none. */
    private void headComplete() {
        disarm();
        phase = Phase.BODY;
    }

    private void requestComplete() {
        disarm();
        phase = Phase.IDLE; // the next byte starts the next head
    }

    /**
     * Answers a request the guard refuses, in the vAPI shape of its flavour, then closes the connection. The answer
     * waits for the answers Vert.x still owes to earlier (pipelined) requests on the connection, so that answers
     * keep the order of their requests.
     */
    private void refuse(OperationPath path, String givenRequestId, HttpRefusal refusal) {
        refusing = true;
        disarm();
        String requestId = RequestIds.sane(givenRequestId);
        edge.refused(path, requestId, refusal);
        byte[] json = Json.encode(VapiErrorResponses.body(path.answerFlavour(), refusal.error())).getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(refusal.status()),
                Unpooled.wrappedBuffer(json));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .set(HttpHeaderNames.CONTENT_LENGTH, json.length)
                .set(RequestIds.HEADER, requestId)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        if (pendingResponses > 0) {
            deferredRefusal = response;
        } else {
            decodedContext.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /**
     * HTTP/2: the codec reads whole requests itself, so only the URI check is left, and it has to come before Quarkus'
     * own. Vert.x gives each stream's request to its connection's request handler; the connection takes over as the
     * codec's frame listener once the client's settings are read. The guard's handler replaces Vert.x's then (at the
     * latest when the first stream opens, before its request is dispatched), checks the path, and hands valid requests
     * to Quarkus' root handler, the one Vert.x had set.
     */
    private void guardHttp2(ChannelPipeline pipeline) {
        Http2ConnectionHandler http2 = pipeline.get(Http2ConnectionHandler.class);
        if (http2 == null || checkPaths(http2)) {
            return;
        }
        http2.connection().addListener(new Http2ConnectionAdapter() {
            @Override
            public void onStreamAdded(Http2Stream stream) {
                if (checkPaths(http2)) {
                    http2.connection().removeListener(this);
                }
            }
        });
    }

    /** True once the HTTP/2 connection's request handler checks paths; false while Vert.x has not taken over yet. */
    private boolean checkPaths(Http2ConnectionHandler http2) {
        if (!(http2.decoder().frameListener() instanceof HttpServerConnection connection)) {
            return false;
        }
        Handler<HttpServerRequest> root = VertxHttpRecorder.getRootHandler();
        connection.handler(request -> {
            if (UriCheck.valid(request.uri())) {
                root.handle(request);
            } else {
                refuseStream(request, HttpRefusal.pathInvalid().over(request.version()));
            }
        });
        return true;
    }

    /** An HTTP/2 stream's refusal, written through Vert.x (the stream ends; the connection serves on). */
    private void refuseStream(HttpServerRequest request, HttpRefusal refusal) {
        OperationPath path = OperationPath.of(request.uri());
        String requestId = RequestIds.sane(request.getHeader(RequestIds.HEADER));
        edge.refused(path, requestId, refusal);
        request.response().setStatusCode(refusal.status())
                .putHeader(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .putHeader(RequestIds.HEADER, requestId)
                .end(Json.encode(VapiErrorResponses.body(path.answerFlavour(), refusal.error())));
    }

    private void standAside() {
        standingAside = true;
        disarm();
        cancelTimer();
    }

    /**
     * Limits the current phase to {@code after} from now. Every request arms and disarms the header limit, so the
     * limit is a deadline kept in fields and the connection has at most one timer, rescheduled only when it would
     * fire too late: a kept-alive connection under load schedules about one timer per header timeout instead of
     * scheduling and cancelling one per request (measured: 1-2 % of a forwarded request's CPU, bench/HISTORY.md).
     */
    private void arm(Duration after, Runnable action) {
        limitAtNanos = System.nanoTime() + Math.max(1, after.toMillis()) * 1_000_000L;
        onLimit = action;
        if (timer != null && timerAtNanos - limitAtNanos <= 0) {
            return; // fires first, and looks again then
        }
        cancelTimer();
        schedule(limitAtNanos);
    }

    /** Nothing is limited any more; the timer, if any, finds that when it fires. */
    private void disarm() {
        onLimit = null;
    }

    private void schedule(long atNanos) {
        timerAtNanos = atNanos;
        timer = headContext.executor().schedule(this::timerFired, Math.max(1, atNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void timerFired() {
        timer = null;
        Runnable action = onLimit;
        if (action == null) {
            return;
        }
        if (limitAtNanos - System.nanoTime() > 0) {
            schedule(limitAtNanos); // armed again since this timer was set: a later limit
            return;
        }
        onLimit = null;
        action.run();
    }

    /** The connection is gone (or no longer guarded): its timer must not keep it reachable until it fires. */
    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
