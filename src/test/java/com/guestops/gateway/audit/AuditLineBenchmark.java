package com.guestops.gateway.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.guestops.gateway.terminate.TerminateTrace;
import io.quarkus.logging.json.runtime.JsonFormatter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Formatter;
import java.util.logging.Level;
import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.formatters.PatternFormatter;

/**
 * A rough measurement, not a test (no speed is asserted anywhere): the cost of producing one audit line as it
 * reaches stdout in production, before and after the line became its own JSON object. Before: the fields in a map,
 * serialized by Jackson, then the whole log record formatted by Quarkus' JSON formatter (which escapes that JSON
 * into its {@code message}). After: {@link JsonLine}, then the audit handler's {@code %s%n}.
 *
 * <p>Run after {@code ./mvnw test-compile}:
 * {@code java -cp "target/test-classes:target/classes:$(./mvnw -q dependency:build-classpath -Dmdep.outputFile=/dev/stdout)"
 * com.guestops.gateway.audit.AuditLineBenchmark}
 */
public final class AuditLineBenchmark {

    private static final ObjectMapper JACKSON = new ObjectMapper();
    private static volatile int sink;

    public static void main(String[] args) throws Exception {
        TerminateTrace trace = new TerminateTrace("0b1e4f6c-6f5c-4a53-9d1c-6a1f4f0e2c11", "api", "vm-538:b3ab.x_y", "4242");
        trace.caller("system:serviceaccount:ops:reaper");
        trace.guestUser("root");
        trace.host("esx-01");
        trace.attemptStarted();
        JsonFormatter json = new JsonFormatter();
        json.setRecordDelimiter("\n");
        PatternFormatter raw = new PatternFormatter("%s%n");
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int iterations = 200_000;
        for (int round = 0; round < rounds; round++) {
            long before = time(iterations, () -> format(json, before(trace)));
            long after = time(iterations, () -> format(raw, after(trace)));
            System.out.printf("round %d: before %5d ns/line, after %5d ns/line%n", round, before / iterations, after / iterations);
        }
    }

    /** The previous AuditLog: a map serialized by Jackson, formatted again by the JSON console. */
    private static String before(TerminateTrace trace) throws Exception {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", Instant.now().toString());
        line.put("request_id", trace.requestId());
        line.put("caller", trace.caller());
        line.put("flavour", trace.flavour());
        line.put("vm", trace.vm());
        line.put("pid", trace.pid());
        line.put("host", trace.host());
        line.put("guest_user", trace.guestUser());
        line.put("outcome", "success");
        line.put("source", "host");
        line.put("attempts", trace.attempts());
        line.put("duration_ms", TimeUnit.NANOSECONDS.toMillis(123_456_789L));
        return JACKSON.writeValueAsString(line);
    }

    /** The current AuditLog's line. */
    private static String after(TerminateTrace trace) {
        return new JsonLine().field("timestamp", Instant.now().toString()).field("loggerName", AuditLog.LOGGER)
                .field("request_id", trace.requestId()).field("caller", trace.caller()).field("flavour", trace.flavour())
                .field("vm", trace.vm()).field("pid", trace.pid()).field("host", trace.host())
                .field("guest_user", trace.guestUser()).field("outcome", "success").field("source", "host")
                .field("attempts", trace.attempts()).field("duration_ms", TimeUnit.NANOSECONDS.toMillis(123_456_789L))
                .toString();
    }

    private static void format(Formatter formatter, String message) {
        ExtLogRecord record = new ExtLogRecord(Level.INFO, message, ExtLogRecord.FormatStyle.NO_FORMAT, AuditLineBenchmark.class.getName());
        record.setLoggerName(AuditLog.LOGGER);
        sink += formatter.format(record).length();
    }

    interface Line {
        void run() throws Exception;
    }

    private static long time(int iterations, Line line) throws Exception {
        long start = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            line.run();
        }
        return System.nanoTime() - start;
    }
}
