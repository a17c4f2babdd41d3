package com.guestops.gateway.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logmanager.ExtLogRecord;

/**
 * Captures every log record of the running application (all loggers, all levels) as formatted text,
 * stack traces included, so tests can assert what was and was not logged.
 */
public final class LogCapture implements AutoCloseable {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
            StringBuilder line = new StringBuilder(record.getLoggerName() + " " + record.getLevel() + " ");
            line.append(record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage());
            if (record.getThrown() != null) {
                StringWriter trace = new StringWriter();
                record.getThrown().printStackTrace(new PrintWriter(trace));
                line.append('\n').append(trace);
            }
            if (record instanceof ExtLogRecord ext && ext.getMdcCopy() != null) {
                line.append(" mdc=").append(ext.getMdcCopy());
            }
            lines.add(line.toString());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private LogCapture() {
    }

    /** Loggers that write only through their own handlers, so that the root logger never sees their records. */
    private static final String AUDIT = "com.guestops.gateway.audit";
    private static final List<String> SEPARATE = List.of(AUDIT);
    private static final ObjectMapper JSON = new ObjectMapper();

    public static LogCapture start() {
        LogCapture capture = new LogCapture();
        capture.handler.setLevel(Level.ALL);
        Logger.getLogger("").addHandler(capture.handler);
        for (String name : SEPARATE) {
            Logger separate = Logger.getLogger(name);
            if (!separate.getUseParentHandlers()) {
                separate.addHandler(capture.handler);
            }
        }
        return capture;
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    public List<LogRecord> records() {
        return List.copyOf(records);
    }

    /** The audit lines (one JSON object each) of the request with this id, in the order they were written. */
    public List<JsonNode> auditLines(String requestId) {
        List<JsonNode> found = new ArrayList<>();
        for (LogRecord record : records) {
            if (AUDIT.equals(record.getLoggerName())) {
                String line = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
                JsonNode json;
                try {
                    json = JSON.readTree(line);
                } catch (Exception e) {
                    throw new AssertionError("audit line is not JSON: " + line, e);
                }
                if (requestId.equals(json.path("request_id").asText())) {
                    found.add(json);
                }
            }
        }
        return found;
    }

    public String all() {
        return String.join("\n", lines);
    }

    @Override
    public void close() {
        Logger.getLogger("").removeHandler(handler);
        SEPARATE.forEach(name -> Logger.getLogger(name).removeHandler(handler));
    }
}
