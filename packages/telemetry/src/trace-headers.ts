import {
  type Context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  type TextMapPropagator,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { Emission } from '@tane/core';

/** The record headers that carry W3C trace context. */
export const TRACE_HEADERS = ['traceparent', 'tracestate'] as const;

const w3c: TextMapPropagator = new W3CTraceContextPropagator();

/** The trace context a record carries in its `headers` (the root context when it has none). */
export function extractTraceContext(headers: Record<string, string> | undefined): Context {
  return w3c.extract(ROOT_CONTEXT, headers ?? {}, defaultTextMapGetter);
}

/**
 * Copies of `emissions` whose records carry `ctx` (the stage span) in their
 * headers. The records are copied rather than changed in place because a
 * plugin may emit the very object it was given.
 */
export function injectTraceContext(ctx: Context, emissions: Emission[]): Emission[] {
  const carrier: Record<string, string> = {};
  w3c.inject(ctx, carrier, defaultTextMapSetter);
  return withTraceHeaders(carrier, emissions);
}

/**
 * When this worker does not trace, emitted records keep the trace context of
 * the record they came from, so a trace stays whole across an untraced hop.
 */
export function carryTraceContext(
  from: Record<string, string> | undefined,
  emissions: Emission[],
): Emission[] {
  if (!from?.traceparent) return emissions;
  const carrier: Record<string, string> = { traceparent: from.traceparent };
  if (from.tracestate) carrier.tracestate = from.tracestate;
  return emissions.map((e) => (e.record.headers?.traceparent ? e : withHeaders(e, carrier)));
}

function withTraceHeaders(carrier: Record<string, string>, emissions: Emission[]): Emission[] {
  if (!carrier.traceparent) return emissions;
  return emissions.map((e) => withHeaders(e, carrier));
}

function withHeaders(e: Emission, carrier: Record<string, string>): Emission {
  const headers: Record<string, string> = { ...(e.record.headers ?? {}) };
  for (const h of TRACE_HEADERS) delete headers[h];
  return { ...e, record: { ...e.record, headers: { ...headers, ...carrier } } };
}
