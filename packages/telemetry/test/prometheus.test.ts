import type { Emission, TaneRecord } from '@tane/core';
import type { EngineEvent } from '@tane/core/engine';
import { afterEach, describe, expect, it } from 'vitest';
import { setupTelemetry, type Telemetry } from '../src/index.ts';
import { scrape, sumOf } from './parse-prometheus.ts';

const open: Telemetry[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.shutdown()));
});

async function prometheusTelemetry(): Promise<Telemetry & { metricsUrl: string }> {
  const t = await setupTelemetry({ serviceName: 'tane-test', metricsPort: 0 });
  open.push(t);
  expect(t.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
  return t as Telemetry & { metricsUrl: string };
}

function record(id: string, category: string): TaneRecord {
  return { id, type: 'candidate', category, data: {}, meta: {}, lineage: [], headers: {} };
}

/** What an engine reports while two tasks become 6 candidates, judged, repaired and sorted. */
function runEvents(): EngineEvent[] {
  const ev: EngineEvent[] = [];
  for (const offset of [0, 1, 2]) ev.push({ type: 'consumed', topic: 'tane.tasks', partition: 0, offset });
  ev.push({ type: 'consumed', topic: 'tane.tasks', partition: 1, offset: 7 });
  ev.push({
    type: 'stage',
    stage: 'generator',
    category: 'email',
    durationMs: 1200,
    routes: ['out', 'out', 'out'],
  });
  ev.push({
    type: 'stage',
    stage: 'generator',
    category: 'sql',
    durationMs: 800,
    routes: ['out', 'out', 'out'],
  });
  ev.push({ type: 'stage', stage: 'judge', category: 'email', durationMs: 300, routes: ['accept'] });
  ev.push({ type: 'stage', stage: 'judge', category: 'email', durationMs: 300, routes: ['repair'] });
  ev.push({ type: 'stage', stage: 'judge', category: 'email', durationMs: 300, routes: ['reject'] });
  ev.push({ type: 'stage', stage: 'judge', category: 'sql', durationMs: 300, routes: ['repair'] });
  ev.push({ type: 'stage', stage: 'judge', category: 'sql', durationMs: 300, routes: ['accept'] });
  ev.push({
    type: 'stage',
    stage: 'judge',
    category: 'sql',
    durationMs: 90,
    routes: [],
    error: 'LLM_INVALID_OUTPUT',
  });
  ev.push({ type: 'dead-lettered', stage: 'judge', category: 'sql', code: 'LLM_INVALID_OUTPUT' });
  ev.push({ type: 'stage', stage: 'repairer', category: 'email', durationMs: 500, routes: ['out'] });
  ev.push({ type: 'stage', stage: 'repairer', category: 'sql', durationMs: 500, routes: ['out'] });
  ev.push({ type: 'stage', stage: 'judge', category: 'email', durationMs: 300, routes: ['accept'] });
  ev.push({ type: 'stage', stage: 'judge', category: 'sql', durationMs: 300, routes: ['reject'] });
  ev.push({ type: 'written', topic: 'dataset', category: 'email', recordType: 'candidate' });
  ev.push({ type: 'written', topic: 'dataset', category: 'email', recordType: 'candidate' });
  ev.push({ type: 'written', topic: 'dataset', category: 'sql', recordType: 'candidate' });
  ev.push({ type: 'written', topic: 'rejected', category: 'email', recordType: 'candidate' });
  ev.push({ type: 'written', topic: 'rejected', category: 'sql', recordType: 'candidate' });
  ev.push({ type: 'written', topic: 'dlq', category: 'sql', recordType: 'dlq' });
  ev.push({ type: 'dropped', stage: 'dedup', category: 'sql', route: 'skip' });
  ev.push({ type: 'committed', topic: 'tane.tasks', partition: 0, offset: 2 });
  return ev;
}

describe('Prometheus endpoint', () => {
  it('serves text format whose counters match the records the engine reported', async () => {
    const t = await prometheusTelemetry();
    for (const e of runEvents()) t.hooks.onEvent!(e);
    t.recordLag('tane.tasks', 0, 42);
    t.recordLag('tane.tasks', 1, 5);
    t.recordLag('tane.tasks', 0, 40);

    const { samples, types } = await scrape(t.metricsUrl);
    const v = (name: string, labels: Record<string, string> = {}) => sumOf(samples, name, labels);

    expect(types.get('tane_records_consumed_total')).toBe('counter');
    expect(v('tane_records_consumed_total', { topic: 'tane.tasks' })).toBe(4);
    // Offsets 0 and 1 of partition 0 are committed; 2 (partition 0) and 7 (partition 1) are not.
    expect(types.get('tane_records_in_flight')).toBe('gauge');
    expect(v('tane_records_in_flight', { topic: 'tane.tasks' })).toBe(2);
    expect(v('tane_committed_offset', { topic: 'tane.tasks', partition: '0' })).toBe(2);
    expect(v('tane_consumer_lag', { topic: 'tane.tasks', partition: '0' })).toBe(40);
    expect(v('tane_consumer_lag', { topic: 'tane.tasks', partition: '1' })).toBe(5);

    expect(v('tane_stage_records_in_total', { stage: 'judge' })).toBe(8);
    expect(v('tane_stage_records_in_total', { stage: 'judge', category: 'sql' })).toBe(4);
    expect(v('tane_stage_records_out_total', { stage: 'generator', route: 'out' })).toBe(6);
    expect(v('tane_stage_records_out_total', { stage: 'judge', route: 'accept' })).toBe(3);
    expect(v('tane_stage_records_out_total', { stage: 'judge', route: 'reject', category: 'sql' })).toBe(1);
    expect(v('tane_stage_duration_seconds_count', { stage: 'judge' })).toBe(8);
    expect(v('tane_stage_duration_seconds_sum', { stage: 'generator' })).toBeCloseTo(2.0);
    expect(types.get('tane_stage_duration_seconds')).toBe('histogram');

    expect(v('tane_records_dead_lettered_total', { stage: 'judge', code: 'LLM_INVALID_OUTPUT' })).toBe(1);
    expect(v('tane_records_written_total', { topic: 'dataset' })).toBe(3);
    expect(v('tane_records_written_total', { topic: 'dlq' })).toBe(1);
    expect(v('tane_records_dropped_total', { stage: 'dedup', route: 'skip' })).toBe(1);

    expect(v('tane_examples_accepted_total', { category: 'email' })).toBe(2);
    expect(v('tane_examples_accepted_total', { category: 'sql' })).toBe(1);
    expect(v('tane_examples_rejected_total', { category: 'email' })).toBe(1);
    expect(v('tane_examples_rejected_total', { category: 'sql' })).toBe(1);
    expect(v('tane_examples_repairs_total', { category: 'email' })).toBe(1);
    expect(v('tane_examples_repairs_total', { category: 'sql' })).toBe(1);
  });

  it('counts LLM requests, latency, tokens, 429s, retries and cache hits', async () => {
    const t = await prometheusTelemetry();
    const plugin = '@tane/plugin-judge@0.1.0';
    t.onLlmEvent({ type: 'request', plugin, category: 'email' });
    t.onLlmEvent({ type: 'throttled', plugin, category: 'email', status: 429 });
    t.onLlmEvent({ type: 'retry', plugin, category: 'email', status: 429 });
    t.onLlmEvent({ type: 'request', plugin, category: 'email' });
    t.onLlmEvent({
      type: 'response',
      plugin,
      category: 'email',
      status: 200,
      model: 'mixtral',
      latencyMs: 1500,
      tokens: { prompt: 900, completion: 120 },
    });
    t.onLlmEvent({ type: 'request', plugin, category: 'sql' });
    t.onLlmEvent({
      type: 'response',
      plugin,
      category: 'sql',
      status: 200,
      latencyMs: 300,
      tokens: { promptTokens: 100, completionTokens: 30 },
    });
    t.onLlmEvent({ type: 'cache_hit', plugin, category: 'sql' });
    t.onLlmEvent({ type: 'response', plugin, category: undefined, latencyMs: 120_000 });

    const { samples, types } = await scrape(t.metricsUrl);
    const v = (name: string, labels: Record<string, string> = {}) => sumOf(samples, name, labels);
    expect(v('tane_llm_requests_total', { plugin })).toBe(3);
    expect(v('tane_llm_throttled_total', { plugin, category: 'email' })).toBe(1);
    expect(v('tane_llm_retries_total', { plugin })).toBe(1);
    expect(v('tane_llm_cache_hits_total', { plugin, category: 'sql' })).toBe(1);
    expect(types.get('tane_llm_request_duration_seconds')).toBe('histogram');
    expect(v('tane_llm_request_duration_seconds_count', { plugin, status: '200' })).toBe(2);
    expect(v('tane_llm_request_duration_seconds_count', { plugin, status: '200', model: 'mixtral' })).toBe(1);
    expect(v('tane_llm_request_duration_seconds_count', { plugin, status: 'none' })).toBe(1);
    expect(v('tane_llm_request_duration_seconds_sum', { plugin, status: '200' })).toBeCloseTo(1.8);
    // 300 ms falls in the 0.5 s bucket, 1.5 s does not.
    expect(v('tane_llm_request_duration_seconds_bucket', { plugin, status: '200', le: '0.5' })).toBe(1);
    expect(v('tane_llm_request_duration_seconds_bucket', { plugin, status: '200', le: '2' })).toBe(2);
    expect(v('tane_llm_tokens_total', { plugin, kind: 'prompt' })).toBe(1000);
    expect(v('tane_llm_tokens_total', { plugin, kind: 'completion', category: 'email' })).toBe(120);
  });

  it('counts stage work in flight while a stage runs, and carries trace context without tracing', async () => {
    const t = await prometheusTelemetry();
    expect(t.tracing).toBe(false);
    let release!: () => void;
    const input = {
      ...record('r1', 'email'),
      headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    };
    const running = t.hooks.aroundStage!(
      { stage: 'judge', plugin: 'judge@1.0.0', record: input },
      () =>
        new Promise<Emission[]>((resolve) => {
          release = () => resolve([{ route: 'accept', record: record('r1', 'email') }]);
        }),
    );
    await new Promise((r) => setTimeout(r, 20));
    expect(sumOf((await scrape(t.metricsUrl)).samples, 'tane_stage_in_flight', { stage: 'judge' })).toBe(1);
    release();
    const out = await running;
    expect(out[0]!.record.headers.traceparent).toBe(input.headers.traceparent);
    expect(sumOf((await scrape(t.metricsUrl)).samples, 'tane_stage_in_flight', { stage: 'judge' })).toBe(0);
  });

  it('answers 404 off /metrics and refuses a port that is taken, saying so', async () => {
    const t = await prometheusTelemetry();
    expect((await fetch(t.metricsUrl.replace('/metrics', '/'))).status).toBe(404);
    const port = Number(new URL(t.metricsUrl).port);
    await expect(setupTelemetry({ metricsPort: port })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      hint: expect.stringContaining('another process uses that port'),
    });
  });
});
