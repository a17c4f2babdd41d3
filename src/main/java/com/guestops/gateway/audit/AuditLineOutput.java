package com.guestops.gateway.audit;

import io.netty.util.concurrent.FastThreadLocal;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.impl.ContextInternal;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.ErrorManager;
import java.util.logging.Handler;
import java.util.logging.Logger;
import org.jboss.logmanager.ExtFormatter;
import org.jboss.logmanager.ExtHandler;
import org.jboss.logmanager.ExtLogRecord;

/**
 * Gives the audit logger its own handler: each audit line goes to stdout as it is (the line already is one JSON
 * object), and not through the application console, whose JSON formatter would escape it into the
 * {@code message} of a record of its own.
 *
 * <p>Set in code because Quarkus 3.33's configuration cannot express it: a named console handler
 * ({@code quarkus.log.handler.console."audit"}) gets the JSON formatter too whenever
 * {@code quarkus.log.console.json.enabled} is on, as it is in production.
 */
@ApplicationScoped
public class AuditLineOutput {

    void install(@Observes StartupEvent startup) {
        Logger audit = Logger.getLogger(AuditLog.LOGGER);
        for (Handler handler : audit.getHandlers()) {
            if (handler instanceof AuditLineHandler) {
                audit.removeHandler(handler); // an earlier start's (dev-mode reload)
            }
        }
        audit.addHandler(new AuditLineHandler(System.out));
        audit.setUseParentHandlers(false);
    }

    /**
     * stdout, one line per record, the message as it is. A line recorded on an event loop is held until the end of
     * the loop's current pass and written there with the other lines of that pass, in one {@code write}: under load
     * a pass answers several requests, and one write per line (plus its flush) was the largest share of the
     * gateway's kernel time and had the loops contend for the stream's lock (bench/HISTORY.md). Nothing is dropped and
     * nothing waits longer than the pass; lines recorded elsewhere (a worker, the shutdown) are written at once.
     *
     * <p>Each line is encoded once, into its loop's buffer, which is written from as it is and then reused: holding
     * the lines as text and encoding them at the end took two more copies of them (about 2 % of what a request
     * allocated).
     */
    static final class AuditLineHandler extends ExtHandler {

        /** A pass that recorded this many bytes writes them out at once rather than holding more. */
        static final int MAX_HELD_BYTES = 64 * 1024;

        /** The encoded lines the current pass of this thread's event loop recorded, not yet written. */
        private final FastThreadLocal<ByteArrayOutputStream> held = new FastThreadLocal<>() {
            @Override
            protected ByteArrayOutputStream initialValue() {
                return new ByteArrayOutputStream(8 * 1024);
            }
        };
        private final OutputStream out;
        /** What the console handler this replaces wrote in (it has no encoding set: the platform's). */
        private final Charset charset = Charset.defaultCharset();
        private final byte[] newline = MessageLine.NEWLINE.getBytes(charset);

        AuditLineHandler(OutputStream out) {
            this.out = out;
            setFormatter(new MessageLine());
        }

        @Override
        protected void doPublish(ExtLogRecord record) {
            ContextInternal context = ContextInternal.current();
            if (context == null || !context.isEventLoopContext() || !context.nettyEventLoop().inEventLoop()) {
                ByteArrayOutputStream line = new ByteArrayOutputStream(256);
                append(line, record);
                write(line);
                return;
            }
            ByteArrayOutputStream lines = held.get();
            boolean first = lines.size() == 0;
            append(lines, record);
            if (lines.size() >= MAX_HELD_BYTES) {
                write(lines);
            } else if (first) {
                try {
                    // a task queued from the loop itself runs after the I/O of the current pass, in the same pass
                    context.nettyEventLoop().execute(() -> write(lines));
                } catch (RejectedExecutionException loopShutDown) {
                    write(lines);
                }
            }
        }

        /** What the handler's {@link MessageLine} formats, encoded, without making that string first. */
        private void append(ByteArrayOutputStream lines, ExtLogRecord record) {
            lines.writeBytes(record.getFormattedMessage().getBytes(charset));
            lines.writeBytes(newline);
        }

        /** Writes the lines out (nothing if there are none) and empties the buffer for the next ones. */
        private void write(ByteArrayOutputStream lines) {
            if (lines.size() == 0) {
                return;
            }
            try {
                synchronized (out) {
                    lines.writeTo(out);
                    out.flush();
                }
            } catch (IOException e) {
                reportError("The audit line could not be written", e, ErrorManager.WRITE_FAILURE);
            } finally {
                lines.reset();
            }
        }
    }

    /**
     * The audit line as the handler writes it (its bytes are this, encoded in the platform's charset): the message as
     * it is and a line separator, what a {@code PatternFormatter("%s%n")} writes without its per-record format steps
     * and buffers (with the pattern, the formatting allocated more than the line itself).
     */
    private static final class MessageLine extends ExtFormatter {
        private static final String NEWLINE = System.lineSeparator();

        @Override
        public String format(ExtLogRecord record) {
            return record.getFormattedMessage() + NEWLINE;
        }
    }
}
