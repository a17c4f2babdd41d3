package com.guestops.gateway.api;

import com.fasterxml.jackson.core.util.BufferRecycler;
import com.fasterxml.jackson.core.util.RecyclerPool;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * Jackson's reusable parse buffers, one set per thread, held in a Netty {@link FastThreadLocal}; for the JSON read on
 * every request (the caller's body, {@link TerminateRequestParser}).
 *
 * <p>Jackson's default pool keeps them in a {@code java.lang.ThreadLocal} behind a {@code SoftReference}. An event
 * loop thread holds many thread locals, and that lookup probed past other entries of the thread's map
 * ({@code ThreadLocalMap.getEntryAfterMiss}): 1.5-2 % of a forwarded request's event-loop samples (bench/HISTORY.md).
 * On Vert.x's threads a {@code FastThreadLocal} is an array index; on other threads Netty falls back to a
 * {@code ThreadLocal}. The buffers stay with their thread as Jackson's default keeps them, without the soft reference:
 * a few KiB per thread that parses a caller's body.
 */
final class ThreadJsonBuffers extends RecyclerPool.ThreadLocalPoolBase<BufferRecycler> {

    static final ThreadJsonBuffers POOL = new ThreadJsonBuffers();

    private static final long serialVersionUID = 1L;

    private static final FastThreadLocal<BufferRecycler> BUFFERS = new FastThreadLocal<>() {
        @Override
        protected BufferRecycler initialValue() {
            return new BufferRecycler();
        }
    };

    private ThreadJsonBuffers() {
    }

    @Override
    public BufferRecycler acquirePooled() {
        return BUFFERS.get();
    }

    private Object readResolve() {
        return POOL;
    }
}
