import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TaneRecord } from '@tane/core';
import { createMemoryTransport, Engine, loadPipeline } from '@tane/core/engine';
import { afterEach, describe, expect, it } from 'vitest';
import { setupTelemetry, type Telemetry } from '../src/index.ts';
import { attr, type OtlpSpan, startOtlpReceiver } from './otlp-receiver.ts';
import { scrape, sumOf } from './parse-prometheus.ts';

const fixtures = resolve(import.meta.dirname, 'fixtures');
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

const PIPELINE = `
pipeline: telemetry-e2e
topics: { partitions: 2 }
inputs: { tasks: generator }
limits: { commitIntervalMs: 50 }
stages:
  generator:
    plugin: FIX/generator.ts
    config: { n: 3 }
    routes: { out: judge }
  judge:
    plugin: FIX/judge.ts
    maxVisits: 3
    routes: { accept: topic:dataset, repair: repairer, reject: topic:rejected }
  repairer:
    plugin: FIX/repairer.ts
    maxVisits: 3
    routes: { out: judge }
`;

const traceOf = (i: number) => `${String(i).padStart(2, '0')}${'ab'.repeat(15)}`;
const PRODUCER_SPAN = '1111111111111111';

function task(i: number, category: string, fail = false): TaneRecord {
  return {
    id: `task-${i}`,
    type: 'task',
    category,
    data: fail ? { fail: true } : {},
    meta: {},
    lineage: [],
    headers: { traceparent: `00-${traceOf(i)}-${PRODUCER_SPAN}-01` },
  };
}

/** Span names from `spanId` up to the producer, nearest first. */
function chain(spans: Map<string, OtlpSpan>, spanId: string): string[] {
  const names: string[] = [];
  let id: string | undefined = spanId;
  while (id && id !== PRODUCER_SPAN) {
    const s = spans.get(id);
    if (!s) throw new Error(`span ${id} was not exported`);
    names.push(String(attr(s, 'tane.stage')));
    id = s.parentSpanId;
  }
  if (id !== PRODUCER_SPAN) throw new Error(`chain from ${spanId} does not reach the producer span`);
  return names;
}

describe('telemetry on a running engine', () => {
  it('traces every record from task to dataset, and the metrics match the engine counters', async () => {
    const receiver = await startOtlpReceiver();
    cleanup.push(receiver.close);
    const telemetry: Telemetry = await setupTelemetry({
      serviceName: 'tane-e2e',
      otlpEndpoint: receiver.url,
      metricsPort: 0,
    });
    cleanup.push(telemetry.shutdown);

    const dir = mkdtempSync(join(tmpdir(), 'tane-telemetry-'));
    const file = join(dir, 'pipeline.yaml');
    writeFileSync(file, PIPELINE.replaceAll('FIX/', `${fixtures}/`));
    const pipeline = await loadPipeline(file);
    const transport = createMemoryTransport();
    await transport.createTopics([{ name: 'tane.tasks', partitions: 2 }]);
    const producer = await transport.producer();
    const tasks = [task(1, 'email'), task(2, 'sql'), task(3, 'email', true)];
    await producer.send(tasks.map((value) => ({ topic: 'tane.tasks', key: value.category, value })));

    const engine = new Engine({ pipeline, transport, dataDir: join(dir, 'data'), hooks: telemetry.hooks });
    await engine.start();
    await engine.waitUntilIdle({ quietMs: 100 });
    await engine.stop();
    await telemetry.flush();

    const read = (t: string) => transport.values(t).map((v) => JSON.parse(v) as TaneRecord);
    const dataset = read('tane.dataset');
    const rejected = read('tane.rejected');
    const dlq = read('tane.dlq');
    expect(dataset).toHaveLength(4);
    expect(rejected).toHaveLength(2);
    expect(dlq).toHaveLength(3);

    // Traces: 3 generator calls, 11 judge calls (9 + 2 after repair), 2 repairs.
    const spans = new Map(receiver.spans.map((s) => [s.spanId, s]));
    const byStage = (stage: string) => receiver.spans.filter((s) => attr(s, 'tane.stage') === stage);
    expect(byStage('generator')).toHaveLength(3);
    expect(byStage('judge')).toHaveLength(11);
    expect(byStage('repairer')).toHaveLength(2);
    expect(byStage('judge').filter((s) => s.status?.code === 2)).toHaveLength(3);
    expect(JSON.stringify(receiver.spans)).not.toContain('sk-test-0000000000000001');

    const chains = dataset.map((r) => {
      const [, traceId, spanId] = r.headers.traceparent!.split('-');
      const taskIndex = r.category === 'email' ? 1 : 2;
      expect(traceId).toBe(traceOf(taskIndex));
      return chain(spans, spanId!).join(' ← ');
    });
    expect(chains.sort()).toEqual([
      'judge ← generator',
      'judge ← generator',
      'judge ← repairer ← judge ← generator',
      'judge ← repairer ← judge ← generator',
    ]);
    for (const r of rejected)
      expect(chain(spans, r.headers.traceparent!.split('-')[2]!)).toEqual(['judge', 'generator']);

    // Metrics: the scrape says what engine.stats says.
    const { samples } = await scrape(telemetry.metricsUrl!);
    const v = (name: string, labels: Record<string, string> = {}) => sumOf(samples, name, labels);
    const { stats } = engine;
    expect(v('tane_records_consumed_total')).toBe(stats.consumed);
    expect(v('tane_records_consumed_total')).toBe(3);
    for (const [stage, s] of Object.entries(stats.stages)) {
      expect(v('tane_stage_records_in_total', { stage })).toBe(s.done + s.failed);
      for (const [route, n] of Object.entries(s.routes)) {
        expect(v('tane_stage_records_out_total', { stage, route })).toBe(n);
      }
    }
    for (const [topic, n] of Object.entries(stats.written)) {
      expect(v('tane_records_written_total', { topic })).toBe(n);
    }
    expect(v('tane_records_dead_lettered_total', { stage: 'judge', code: 'STAGE_ERROR' })).toBe(
      stats.deadLettered,
    );
    expect(v('tane_examples_accepted_total', { category: 'email' })).toBe(2);
    expect(v('tane_examples_accepted_total', { category: 'sql' })).toBe(2);
    expect(v('tane_examples_rejected_total', { category: 'email' })).toBe(1);
    expect(v('tane_examples_repairs_total', { category: 'sql' })).toBe(1);
    expect(v('tane_records_in_flight')).toBe(0);
    expect(v('tane_stage_in_flight')).toBe(0);
  });
});
