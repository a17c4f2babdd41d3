package com.guestops.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.BufferRecycler;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ThreadJsonBuffersTest {

    private static final JsonFactory JSON = JsonFactory.builder().recyclerPool(ThreadJsonBuffers.POOL).build();

    @Test
    void oneSetOfBuffersPerThreadKeptAcrossUses() throws Exception {
        AtomicReference<BufferRecycler> first = new AtomicReference<>();
        AtomicReference<BufferRecycler> again = new AtomicReference<>();
        AtomicReference<BufferRecycler> linked = new AtomicReference<>();
        Thread loop = new FastThreadLocalThread(() -> {
            first.set(ThreadJsonBuffers.POOL.acquirePooled());
            ThreadJsonBuffers.POOL.releasePooled(first.get());
            again.set(ThreadJsonBuffers.POOL.acquirePooled());
            linked.set(ThreadJsonBuffers.POOL.acquireAndLinkPooled());
        });
        loop.start();
        loop.join(10_000);

        assertThat(first.get()).isNotNull().isSameAs(again.get()).isSameAs(linked.get());
        // a thread that is not Netty's gets its own set too (Netty's ThreadLocal fallback)
        assertThat(ThreadJsonBuffers.POOL.acquirePooled()).isNotNull().isNotSameAs(first.get())
                .isSameAs(ThreadJsonBuffers.POOL.acquirePooled());
    }

    @Test
    void parsersAndGeneratorsOpenAtOnceOnOneThreadDoNotShareABuffer() throws Exception {
        AtomicReference<String> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread loop = new FastThreadLocalThread(() -> {
            try (JsonParser outer = JSON.createParser("{\"a\":\"outer value\",\"b\":[1,2,3]}".getBytes(StandardCharsets.UTF_8));
                    JsonParser inner = JSON.createParser("{\"c\":\"inner value\"}".getBytes(StandardCharsets.UTF_8))) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                try (JsonGenerator g = JSON.createGenerator(out)) {
                    g.writeStartArray();
                    while (outer.nextToken() != null) {
                        if (outer.currentToken() == JsonToken.VALUE_STRING) {
                            g.writeString(outer.getText());
                            while (inner.nextToken() != null) {
                                if (inner.currentToken() == JsonToken.VALUE_STRING) {
                                    g.writeString(inner.getText());
                                }
                            }
                        }
                    }
                    g.writeEndArray();
                }
                result.set(out.toString(StandardCharsets.UTF_8));
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        loop.start();
        loop.join(10_000);

        assertThat(failure.get()).isNull();
        assertThat(result.get()).isEqualTo("[\"outer value\",\"inner value\"]");
    }
}
