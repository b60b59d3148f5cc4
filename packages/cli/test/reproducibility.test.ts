import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runScenario, type ScenarioResult } from '../../../bench/reproducibility/scenario.ts';
import { BROKER, requireBroker } from '../../transport-kafka/test/broker.ts';

// The determinism contract, end to end on a real broker: the same seeds and pipeline through
// one worker, three workers, two workers with workers and the sink killed at random, and a broker
// that goes away mid-run, must give the same dataset, byte for byte, without paying again for
// finished LLM calls. bench/reproducibility.ts runs the same scenarios at 2,000 tasks.

const example = resolve(import.meta.dirname, '../../../examples/en-general');
// A small cap on uncommitted offsets keeps the bound on repeated calls after a kill meaningful.
const CAP = 8;
const PARTITIONS = 4;
const SEED = Number(process.env.TANE_CHAOS_SEED ?? 20261203);
const OUTAGE_PORT = Number(process.env.TANE_CHAOS_KAFKA_PORT ?? 19392);

const base = {
  example,
  plan: { untilAccepted: 10, maxRounds: 4 },
  latency: { medianMs: 40, p99Ms: 250 },
  maxInFlightPerPartition: CAP,
  partitions: PARTITIONS,
  log: (line: string) => process.stderr.write(`${line}\n`),
};

const results: Record<string, ScenarioResult> = {};

beforeAll(async () => {
  await requireBroker();
}, 60_000);

function summary(r: ScenarioResult): string {
  return `${r.name}: ${r.rows} rows, fingerprint ${r.fingerprint.slice(0, 16)}, LLM calls ${JSON.stringify(r.llmCalls)}, ${r.kills.length} kills, ${(r.wallMs / 1000).toFixed(1)} s`;
}

describe.sequential('the same input gives the same dataset (Kafka)', () => {
  it('(a) one worker: a dataset with balanced books, each id once per topic, no near-duplicates', async () => {
    const r = await runScenario({
      ...base,
      name: 'one',
      transport: { kind: 'kafka', brokers: BROKER },
      workers: 1,
    });
    results.one = r;
    process.stderr.write(`${summary(r)}\n`);
    expect(r.rows).toBeGreaterThan(20);
    expect(r.manifest.balanced).toBe(true);
    expect(r.conflicts).toEqual([]);
    expect(r.nearDuplicates).toEqual([]);
    // Exactly-once output: a read_committed reader sees each id once on every topic.
    for (const [topic, t] of Object.entries(r.topics)) expect(t.messages, topic).toBe(t.ids);
  }, 600_000);

  it('(b) three workers: the same rows and the same LLM calls', async () => {
    const r = await runScenario({
      ...base,
      name: 'three',
      transport: { kind: 'kafka', brokers: BROKER },
      workers: 3,
    });
    results.three = r;
    process.stderr.write(`${summary(r)}\n`);
    const a = results.one!;
    expect(r.rowHashes).toEqual(a.rowHashes);
    expect(r.fingerprint).toBe(a.fingerprint);
    expect(r.conflicts).toEqual([]);
    expect(r.nearDuplicates).toEqual([]);
    for (const [topic, t] of Object.entries(r.topics)) expect(t.messages, topic).toBe(t.ids);
    // Workers joining rebalance the group; a repeat is possible only for calls in flight then.
    expect(r.llmCalls.total).toBeLessThanOrEqual(a.llmCalls.total + CAP * PARTITIONS * 2);
  }, 600_000);

  it(`(c) two workers, workers and the sink SIGKILLed at random (seed ${SEED}): the same rows`, async () => {
    const r = await runScenario({
      ...base,
      name: 'kills',
      transport: { kind: 'kafka', brokers: BROKER },
      workers: 2,
      kills: { count: 10, seed: SEED, firstAfterMs: 4000, gapMs: [800, 2000], restartMs: 300 },
    });
    results.kills = r;
    process.stderr.write(`${summary(r)}\nkill schedule: ${JSON.stringify(r.kills)}\n`);
    const a = results.one!;
    expect(r.kills.length).toBeGreaterThanOrEqual(10);
    expect(r.kills.some((k) => k.target === 'sink')).toBe(true);
    expect(r.fingerprint).toBe(a.fingerprint);
    expect(r.rowHashes).toEqual(a.rowHashes);
    expect(r.conflicts).toEqual([]);
    expect(r.nearDuplicates).toEqual([]);
    expect(r.manifest.balanced).toBe(true);
    for (const [topic, t] of Object.entries(r.topics)) expect(t.messages, topic).toBe(t.ids);
    // A kill repeats at most what was in flight: the uncommitted cap of each partition it owned.
    const workerKills = r.kills.filter((k) => k.target !== 'sink').length;
    expect(r.llmCalls.total).toBeLessThanOrEqual(a.llmCalls.total + CAP * PARTITIONS * workerKills);
  }, 900_000);

  it('(d) two workers and a broker that stops and starts mid-run: the same rows', async () => {
    const r = await runScenario({
      ...base,
      name: 'outage',
      transport: { kind: 'kafka', brokers: BROKER },
      workers: 2,
      brokerOutage: { port: OUTAGE_PORT, afterMs: 3000, afterGenerated: 40, downMs: 8000 },
    });
    results.outage = r;
    process.stderr.write(`${summary(r)}\noutage: ${JSON.stringify(r.outage)}\n`);
    const a = results.one!;
    expect(r.outage, 'the broker was stopped while the run was going').toBeDefined();
    expect(r.fingerprint).toBe(a.fingerprint);
    expect(r.rowHashes).toEqual(a.rowHashes);
    expect(r.conflicts).toEqual([]);
    expect(r.nearDuplicates).toEqual([]);
    for (const [topic, t] of Object.entries(r.topics)) expect(t.messages, topic).toBe(t.ids);
    expect(r.llmCalls.total).toBeLessThanOrEqual(a.llmCalls.total + CAP * PARTITIONS * 2);
  }, 900_000);
});
