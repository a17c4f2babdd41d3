package com.guestops.gateway.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import org.junit.jupiter.api.Test;

/**
 * Which requests' host attempts get spans. TracingTest drives the sampled case end to end (the suite runs with
 * the SDK on); the unsampled and the untraced ones are decided here, where the suite's SDK setting does not reach.
 */
class AttemptSpansTest {

    private static Context under(TraceFlags flags) {
        SpanContext request = SpanContext.create("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", flags, TraceState.getDefault());
        return Context.root().with(Span.wrap(request));
    }

    @Test
    void attemptsOfASampledRequestAreTraced() {
        assertThat(GuardedHost.attemptsTraced(under(TraceFlags.getSampled()))).isTrue();
    }

    @Test
    void attemptsOfARequestTheSamplerLeftOutAreNot() {
        assertThat(GuardedHost.attemptsTraced(under(TraceFlags.getDefault()))).isFalse();
    }

    @Test
    void withTracingOffThereIsNoRequestSpanAndNoAttemptSpan() {
        // the default (quarkus.otel.sdk.disabled=true): no server span; a span here would be a root span on every attempt
        assertThat(GuardedHost.attemptsTraced(Context.root())).isFalse();
    }
}
