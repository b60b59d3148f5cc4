import { parseRecord, serializeRecord, TaneError, type TaneRecord } from '@tane/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setupTelemetry, type Telemetry } from '../src/index.ts';
import { attr, type OtlpSpan, startOtlpReceiver } from './otlp-receiver.ts';

let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
const open: Telemetry[] = [];
beforeEach(async () => {
  receiver = await startOtlpReceiver();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.shutdown()));
  await receiver.close();
});

async function worker(serviceName: string): Promise<Telemetry> {
  const t = await setupTelemetry({ serviceName, otlpEndpoint: receiver.url });
  open.push(t);
  return t;
}

/** What a record looks like after a trip through a topic. */
const overTopic = (r: TaneRecord) => parseRecord(serializeRecord(r));

const UPSTREAM_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const UPSTREAM_SPAN = '00f067aa0ba902b7';

function task(): TaneRecord {
  return {
    id: 'task-1',
    type: 'task',
    category: 'email-reply',
    data: { k: 2 },
    meta: {},
    lineage: [],
    headers: { traceparent: `00-${UPSTREAM_TRACE}-${UPSTREAM_SPAN}-01`, tracestate: 'vendor=x' },
  };
}

function spanNamed(spans: OtlpSpan[], name: string): OtlpSpan {
  const s = spans.find((x) => x.name === name);
  if (!s) throw new Error(`no span '${name}' among ${spans.map((x) => x.name).join(', ') || 'none'}`);
  return s;
}

describe('stage spans over OTLP/HTTP', () => {
  it('follow one record across two workers: the second hop is a child of the first', async () => {
    const a = await worker('tane-worker-a');
    const b = await worker('tane-worker-b');
    expect(a.tracing).toBe(true);

    const input = task();
    const fromGenerator = await a.hooks.aroundStage!(
      { stage: 'generator', plugin: '@tane/plugin-mixtral-generator@0.1.0', record: input },
      async () => [
        // A plugin that copies the parent's headers, as ctx.derive does.
        {
          route: 'out',
          record: { ...input, id: 'cand-1', type: 'candidate', headers: { ...input.headers } },
        },
      ],
    );
    // The input record itself is left alone.
    expect(input.headers.traceparent).toBe(`00-${UPSTREAM_TRACE}-${UPSTREAM_SPAN}-01`);
    const candidate = overTopic(fromGenerator[0]!.record);
    expect(candidate.headers.traceparent).toMatch(new RegExp(`^00-${UPSTREAM_TRACE}-[0-9a-f]{16}-01$`));

    const fromJudge = await b.hooks.aroundStage!(
      { stage: 'judge', plugin: '@tane/plugin-judge@0.1.0', record: candidate },
      async () => [
        { route: 'accept', record: { ...candidate, meta: { judge: { score: 5 } } } },
        { route: 'audit', record: { ...candidate, id: 'cand-1-audit', headers: {} } },
      ],
    );
    await Promise.all([a.flush(), b.flush()]);

    const gen = spanNamed(receiver.spans, 'tane.stage generator');
    const judge = spanNamed(receiver.spans, 'tane.stage judge');
    expect(gen.service).toBe('tane-worker-a');
    expect(judge.service).toBe('tane-worker-b');
    expect(gen.traceId).toBe(UPSTREAM_TRACE);
    expect(gen.parentSpanId).toBe(UPSTREAM_SPAN);
    expect(judge.traceId).toBe(UPSTREAM_TRACE);
    expect(judge.parentSpanId).toBe(gen.spanId);
    expect(candidate.headers.traceparent).toBe(`00-${UPSTREAM_TRACE}-${gen.spanId}-01`);
    expect(candidate.headers.tracestate).toBe('vendor=x');
    for (const e of fromJudge) {
      expect(e.record.headers.traceparent).toBe(`00-${UPSTREAM_TRACE}-${judge.spanId}-01`);
    }

    expect(attr(gen, 'tane.stage')).toBe('generator');
    expect(attr(gen, 'tane.plugin')).toBe('@tane/plugin-mixtral-generator@0.1.0');
    expect(attr(gen, 'tane.record.id')).toBe('task-1');
    expect(attr(gen, 'tane.record.type')).toBe('task');
    expect(attr(gen, 'tane.category')).toBe('email-reply');
    expect(attr(gen, 'tane.routes')).toEqual(['out']);
    expect(attr(judge, 'tane.record.id')).toBe('cand-1');
    expect(attr(judge, 'tane.routes')).toEqual(['accept', 'audit']);
    expect(attr(judge, 'tane.emissions')).toBe(2);
  });

  it('starts a new trace for a record without trace context', async () => {
    const a = await worker('tane-worker-a');
    const r = { ...task(), headers: {} };
    const out = await a.hooks.aroundStage!(
      { stage: 'router', plugin: 'router@1.0.0', record: r },
      async () => [{ route: 'out', record: r }],
    );
    await a.flush();
    const span = spanNamed(receiver.spans, 'tane.stage router');
    expect(span.parentSpanId ?? '').toBe('');
    expect(out[0]!.record.headers.traceparent).toBe(`00-${span.traceId}-${span.spanId}-01`);
    expect(r.headers).toEqual({});
  });

  it('marks a failed stage call with the error code, and keeps secrets out of the span', async () => {
    const a = await worker('tane-worker-a');
    const secret = 'sk-live-0123456789abcdef';
    const failing = a.hooks.aroundStage!(
      { stage: 'judge', plugin: 'judge@1.0.0', record: task() },
      async () => {
        throw new TaneError(
          'LLM_RETRIES_EXHAUSTED',
          `HTTP 401 from http://user:hunter2@llm:8000 with key ${secret}`,
        );
      },
    );
    await expect(failing).rejects.toMatchObject({ code: 'LLM_RETRIES_EXHAUSTED' });
    await a.flush();
    const span = spanNamed(receiver.spans, 'tane.stage judge');
    expect(span.status?.code).toBe(2);
    expect(span.status?.message).toContain('LLM_RETRIES_EXHAUSTED');
    expect(attr(span, 'tane.error.code')).toBe('LLM_RETRIES_EXHAUSTED');
    expect(span.events?.some((e) => e.name === 'exception')).toBe(true);
    const text = JSON.stringify(span);
    expect(text).not.toContain(secret);
    expect(text).not.toContain('hunter2');
    expect(text).toContain('[redacted]');
  });

  it('sends metrics over OTLP too', async () => {
    const a = await worker('tane-worker-a');
    a.hooks.onEvent!({ type: 'consumed', topic: 'tane.tasks', partition: 0, offset: 0 });
    await a.flush();
    const text = JSON.stringify(receiver.metricBodies);
    expect(text).toContain('tane_records_consumed');
    expect(text).toContain('tane-worker-a');
  });
});

describe('setupTelemetry without an exporter', () => {
  it('gives empty hooks, so the engine skips them', async () => {
    const saved = { ...process.env };
    for (const k of Object.keys(process.env)) if (k.startsWith('OTEL_EXPORTER_OTLP')) delete process.env[k];
    try {
      const t = await setupTelemetry({});
      expect(t.enabled).toBe(false);
      expect(t.hooks).toEqual({});
      t.onLlmEvent({ type: 'request', plugin: 'x@1' });
      t.recordLag('t', 0, 1);
      await t.shutdown();
    } finally {
      process.env = saved;
    }
  });

  it('is off when OTEL_SDK_DISABLED=true, whatever else is set', async () => {
    process.env.OTEL_SDK_DISABLED = 'true';
    try {
      const t = await setupTelemetry({ otlpEndpoint: receiver.url, metricsPort: 0 });
      expect(t.enabled).toBe(false);
      expect(t.metricsUrl).toBeUndefined();
    } finally {
      delete process.env.OTEL_SDK_DISABLED;
    }
  });

  it('rejects an endpoint that is not a URL, naming the option', async () => {
    await expect(setupTelemetry({ otlpEndpoint: 'collector:4318' })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      where: 'otlpEndpoint',
    });
  });
});
