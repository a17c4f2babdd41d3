package com.guestops.gateway.audit;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.logging.Handler;
import java.util.logging.Logger;
import org.jboss.logmanager.ExtFormatter;
import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.handlers.ConsoleHandler;

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
        audit.addHandler(new AuditLineHandler());
        audit.setUseParentHandlers(false);
    }

    /** stdout, one line per record, the message as it is. */
    private static final class AuditLineHandler extends ConsoleHandler {
        AuditLineHandler() {
            super(Target.SYSTEM_OUT, new MessageLine());
            setAutoFlush(true);
        }
    }

    /**
     * What a {@code PatternFormatter("%s%n")} writes, without its per-record format steps and buffers (the audit line
     * is written once per request: with the pattern, the formatting allocated more than the line itself).
     */
    private static final class MessageLine extends ExtFormatter {
        private static final String NEWLINE = System.lineSeparator();

        @Override
        public String format(ExtLogRecord record) {
            return record.getFormattedMessage() + NEWLINE;
        }
    }
}
