import { trace } from '@opentelemetry/api';
import type { Emission, TaneRecord } from '@tane/core';
import { describe, expect, it } from 'vitest';
import { carryTraceContext, extractTraceContext, injectTraceContext } from './trace-headers.ts';

const PARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

function emission(headers: Record<string, string>): Emission {
  const record: TaneRecord = {
    id: 'r',
    type: 'candidate',
    category: 'c',
    data: {},
    meta: {},
    lineage: [],
    headers,
  };
  return { route: 'out', record };
}

describe('trace headers', () => {
  it('reads the W3C trace context a record carries', () => {
    const span = trace.getSpanContext(extractTraceContext({ traceparent: PARENT, tracestate: 'a=1' }));
    expect(span?.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(span?.spanId).toBe('b7ad6b7169203331');
    expect(span?.traceState?.get('a')).toBe('1');
    expect(trace.getSpanContext(extractTraceContext({}))).toBeUndefined();
    expect(trace.getSpanContext(extractTraceContext({ traceparent: 'garbage' }))).toBeUndefined();
  });

  it('writes the span context into copies of the emitted records, dropping a stale tracestate', () => {
    const ctx = extractTraceContext({ traceparent: PARENT });
    const original = emission({
      traceparent: '00-11111111111111111111111111111111-2222222222222222-01',
      tracestate: 'old=1',
      other: 'kept',
    });
    const [out] = injectTraceContext(ctx, [original]);
    expect(out!.record.headers).toEqual({ traceparent: PARENT, other: 'kept' });
    expect(original.record.headers.tracestate).toBe('old=1');
  });

  it('keeps the incoming trace context on records that have none when this worker does not trace', () => {
    const out = carryTraceContext({ traceparent: PARENT, tracestate: 'a=1' }, [
      emission({}),
      emission({ traceparent: '00-11111111111111111111111111111111-2222222222222222-01' }),
    ]);
    expect(out[0]!.record.headers).toEqual({ traceparent: PARENT, tracestate: 'a=1' });
    expect(out[1]!.record.headers.traceparent).toMatch(/^00-1111/);
    const none = [emission({})];
    expect(carryTraceContext({}, none)).toBe(none);
  });
});
