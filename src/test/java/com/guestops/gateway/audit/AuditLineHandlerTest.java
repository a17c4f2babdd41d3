package com.guestops.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.awaitility.Awaitility;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The audit handler on a real Vert.x event loop: the lines one pass of the loop records go out together in one write
 * at the end of the pass, in order; lines recorded off the loop, or more than a pass may hold, go out at once.
 */
class AuditLineHandlerTest {

    private static final Vertx VERTX = Vertx.vertx();

    @AfterAll
    static void close() {
        VERTX.close().toCompletionStage().toCompletableFuture().join();
    }

    /** Each write call's text, as the stream received it, and every byte written, in order. */
    private static class Writes extends OutputStream {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final ByteArrayOutputStream all = new ByteArrayOutputStream();

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            calls.add(new String(b, off, len, Charset.defaultCharset()));
            all.write(b, off, len);
        }
    }

    private static ExtLogRecord record(String message) {
        return new ExtLogRecord(Level.INFO, message, AuditLineHandlerTest.class.getName());
    }

    @Test
    void linesOfOnePassGoOutTogetherInOneWriteAtItsEnd() throws Exception {
        Writes out = new Writes();
        AuditLineOutput.AuditLineHandler handler = new AuditLineOutput.AuditLineHandler(out);
        Context loop = VERTX.getOrCreateContext();
        List<Integer> writesDuringThePass = new CopyOnWriteArrayList<>();
        CountDownLatch passed = new CountDownLatch(1);
        loop.runOnContext(v -> {
            handler.publish(record("{\"n\":1}"));
            handler.publish(record("{\"n\":2}"));
            handler.publish(record("{\"n\":3}"));
            writesDuringThePass.add(out.calls.size());
            passed.countDown();
        });
        assertThat(passed.await(5, TimeUnit.SECONDS)).isTrue();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !out.calls.isEmpty());
        assertThat(writesDuringThePass).as("written while the pass was still recording").containsExactly(0);
        String nl = System.lineSeparator();
        assertThat(out.calls).containsExactly("{\"n\":1}" + nl + "{\"n\":2}" + nl + "{\"n\":3}" + nl);

        // a later pass: its own write
        loop.runOnContext(v -> handler.publish(record("{\"n\":4}")));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> out.calls.size() == 2);
        assertThat(out.calls.get(1)).isEqualTo("{\"n\":4}" + nl);
    }

    /** The bytes written are the lines' text in the platform's charset, as the console handler wrote them. */
    @Test
    void linesOutsideAsciiAreWrittenInThePlatformCharset() throws Exception {
        Writes out = new Writes();
        ByteArrayOutputStream all = out.all;
        AuditLineOutput.AuditLineHandler handler = new AuditLineOutput.AuditLineHandler(out);
        List<String> lines = List.of("{\"vm\":\"vm-\u00e9\u20ac\ud83d\ude00\"}", "{\"user\":\"\ud800\"}", "{\"n\":\"\u0000\u00ff\"}");
        String nl = System.lineSeparator();
        byte[] expected = String.join(nl, lines).concat(nl).getBytes(Charset.defaultCharset());
        VERTX.getOrCreateContext().runOnContext(v -> lines.forEach(line -> handler.publish(record(line))));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> all.size() >= expected.length);
        handler.publish(record(lines.get(0))); // and off the loop
        byte[] offLoop = (lines.get(0) + nl).getBytes(Charset.defaultCharset());
        assertThat(all.toByteArray()).isEqualTo(java.nio.ByteBuffer.allocate(expected.length + offLoop.length)
                .put(expected).put(offLoop).array());
        // what the handler's formatter says of a record is what it writes (other tests read the line through it)
        for (String line : lines) {
            assertThat(handler.getFormatter().format(record(line))).isEqualTo(line + nl);
        }
    }

    @Test
    void aLineRecordedOffTheLoopIsWrittenAtOnce() {
        Writes out = new Writes();
        AuditLineOutput.AuditLineHandler handler = new AuditLineOutput.AuditLineHandler(out);
        handler.publish(record("{\"off\":true}"));
        assertThat(out.calls).containsExactly("{\"off\":true}" + System.lineSeparator());
    }

    @Test
    void aPassHoldsNoMoreThanItsCapAndLosesNothing() throws Exception {
        Writes out = new Writes();
        ByteArrayOutputStream all = out.all;
        AuditLineOutput.AuditLineHandler handler = new AuditLineOutput.AuditLineHandler(out);
        String line = "{\"pad\":\"" + "x".repeat(1000) + "\"}";
        int lines = 3 * AuditLineOutput.AuditLineHandler.MAX_HELD_BYTES / line.length();
        List<Integer> writesDuringThePass = new CopyOnWriteArrayList<>();
        VERTX.getOrCreateContext().runOnContext(v -> {
            for (int i = 0; i < lines; i++) {
                handler.publish(record(line));
            }
            writesDuringThePass.add(out.calls.size());
        });
        String nl = System.lineSeparator();
        Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> all.size() == lines * (line.length() + nl.length()));
        assertThat(writesDuringThePass.get(0)).as("writes made during the pass, at the cap").isBetween(2, 3);
        assertThat(out.calls).allSatisfy(call -> assertThat(call.length())
                .isLessThanOrEqualTo(AuditLineOutput.AuditLineHandler.MAX_HELD_BYTES + line.length() + nl.length()));
        assertThat(all.toString(Charset.defaultCharset())).isEqualTo((line + nl).repeat(lines));
    }
}
