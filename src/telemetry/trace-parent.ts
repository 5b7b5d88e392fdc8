// W3C traceparent values: the one a new task stores (the trace of the request that created it),
// and the span context a stored one stands for, which an attempt's span links to.
import { context, isSpanContextValid, propagation, trace, TraceFlags, type Context, type SpanContext } from '@opentelemetry/api';

/**
 * The traceparent of a context (by default the active one), or null when it carries no span. The
 * registered propagator writes it; one that writes no traceparent (B3 only, say) still gets one
 * from the span context, since the column and the workers that read it speak W3C.
 */
export function traceParentOf(of: Context = context.active()): string | null {
  const span = trace.getSpanContext(of);
  if (!span || !isSpanContextValid(span)) return null;
  const carrier: Record<string, string> = {};
  propagation.inject(of, carrier);
  return carrier.traceparent ?? format(span);
}

function format(span: SpanContext): string {
  const flags = (span.traceFlags & TraceFlags.SAMPLED).toString(16).padStart(2, '0');
  return `00-${span.traceId}-${span.spanId}-${flags}`;
}

// Versions after 00 may append fields; version ff is invalid.
const TRACE_PARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-[^\s]*)?$/;

/**
 * The remote span context a traceparent names; undefined for a value that is not one. Parsed here,
 * not by the global propagator, so a link is made whichever propagator (if any) is registered.
 */
export function spanContextOf(traceParent: string | null | undefined): SpanContext | undefined {
  const match = traceParent ? TRACE_PARENT.exec(traceParent.trim()) : null;
  if (!match || match[1] === 'ff' || (match[1] === '00' && match[5])) return undefined;
  const span: SpanContext = { traceId: match[2], spanId: match[3], traceFlags: parseInt(match[4], 16) & TraceFlags.SAMPLED, isRemote: true };
  return isSpanContextValid(span) ? span : undefined;
}
