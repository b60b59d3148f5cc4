import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { deriveId, parseRecord, type TaneRecord, type Transport } from '@tane/core';
import { createKafkaTransport } from '@tane/transport-kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROKER, requireBroker } from '../../transport-kafka/test/broker.ts';
import { startTane, type TaneProcess } from './tane-process.ts';

// End-to-end on the real broker: `tane run` worker processes in one consumer group.

const jitter = resolve(import.meta.dirname, 'fixtures/jitter-plugin.ts');
let transport: Transport;

beforeAll(async () => {
  await requireBroker();
  transport = await createKafkaTransport({ brokers: [BROKER] });
}, 60_000);
afterAll(async () => {
  await transport?.close();
});

/** `tane <args>` against the test broker, without progress output. */
function onKafka(dir: string, args: string[], env?: NodeJS.ProcessEnv): TaneProcess {
  return startTane([...args, '--transport', `kafka://${BROKER}`, '--progress', 'off'], dir, env);
}

function worker(dir: string): TaneProcess {
  return onKafka(dir, ['run', 'pipeline.yaml', '--log-level', 'info']);
}

async function setup(n: number) {
  const prefix = `e2e-${randomUUID().slice(0, 8)}.`;
  const dir = mkdtempSync(join(tmpdir(), 'tane-kafka-e2e-'));
  writeFileSync(
    join(dir, 'pipeline.yaml'),
    `pipeline: workers
topics: { prefix: ${prefix}, partitions: 4 }
limits: { maxInFlightPerPartition: 32, commitIntervalMs: 200, drainTimeoutMs: 30000 }
inputs: { in: jitter }
stages:
  jitter:
    plugin: ${jitter}
    routes: { out: topic:out, skip: drop }
`,
  );
  const inputs: TaneRecord[] = Array.from({ length: n }, (_, i) => ({
    id: `in-${i}`,
    type: 'item',
    category: `c${i % 11}`,
    data: { n: i },
    meta: {},
    lineage: [],
    headers: {},
  }));
  const topic = `${prefix}in`;
  await transport.createTopics([
    { name: topic, partitions: 4 },
    { name: `${prefix}out`, partitions: 4 },
    { name: `${prefix}dlq`, partitions: 4 },
  ]);
  const producer = await transport.producer();
  for (let i = 0; i < inputs.length; i += 500) {
    await producer.send(inputs.slice(i, i + 500).map((value) => ({ topic, key: value.category, value })));
  }
  await producer.close();
  const expected = new Set(
    inputs
      .filter((r) => (r.data as { n: number }).n % 10 !== 0)
      .flatMap((r) => [0, 1].map((k) => deriveId(r.id, 'jitter', k))),
  );
  const outIds = async () => {
    const ids: string[] = [];
    for await (const m of transport.read(`${prefix}out`)) ids.push(parseRecord(m.value).id);
    return ids;
  };
  const committed = async () =>
    (await transport.committedOffsets(`${prefix}workers`, topic)).reduce((sum, o) => sum + o.offset, 0);
  return { dir, expected, outIds, committed, n, prefix };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, check: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(500);
  }
}

describe('tane run workers on Kafka', () => {
  it('two workers share 4 partitions; one leaves mid-run and the other takes over: nothing lost, repeats bounded', async () => {
    const s = await setup(6000);
    const a = worker(s.dir);
    const b = worker(s.dir);
    await waitFor('both workers to start processing', async () => (await s.committed()) > 300, 90_000);
    expect(await s.committed()).toBeLessThan(s.n);
    b.child.kill('SIGTERM');
    expect(await b.exited, b.output()).toBe(0);
    expect(b.output()).toContain('partitions assigned');
    await waitFor(
      'the remaining worker to finish every partition',
      async () => (await s.committed()) === s.n,
      120_000,
    );
    a.child.kill('SIGTERM');
    expect(await a.exited, a.output()).toBe(0);
    const ids = await s.outIds();
    expect(new Set(ids).size).toBe(s.expected.size);
    for (const id of ids) expect(s.expected.has(id)).toBe(true);
    // kafkajs rebalances eagerly and tells a member of a revoked partition only after the group
    // re-formed, so records done but not yet committed at a rebalance are repeated by the new
    // owner: at most the uncommitted cap per partition, per rebalance (two here), two outputs each.
    expect(ids.length - s.expected.size).toBeLessThanOrEqual(32 * 4 * 2 * 2);
  }, 300_000);

  it('kill -9 of a worker mid-run, then a restart: no record lost, repeats bounded by what was in flight', async () => {
    const s = await setup(6000);
    const first = worker(s.dir);
    await waitFor('the worker to commit some progress', async () => (await s.committed()) > 500, 90_000);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBeNull();
    const before = await s.committed();
    expect(before).toBeLessThan(s.n);
    const second = worker(s.dir);
    await waitFor('the restarted worker to finish', async () => (await s.committed()) === s.n, 120_000);
    second.child.kill('SIGTERM');
    expect(await second.exited, second.output()).toBe(0);
    const ids = await s.outIds();
    const distinct = new Set(ids);
    expect(distinct.size).toBe(s.expected.size);
    for (const id of distinct) expect(s.expected.has(id)).toBe(true);
    // At-least-once on Kafka: only records in flight or done-but-uncommitted at the kill are repeated
    // (≤ maxInFlightPerPartition × partitions inputs, two outputs each); sinks are idempotent by id.
    expect(ids.length - distinct.size).toBeLessThanOrEqual(32 * 4 * 2);
  }, 300_000);

  it('a stage slower than the session timeout causes no rebalance and no redelivery', async () => {
    const s = await setup(0);
    const slow = resolve(import.meta.dirname, 'fixtures/slow-plugin.ts');
    writeFileSync(
      join(s.dir, 'slow.yaml'),
      `pipeline: slow
topics: { prefix: ${s.prefix}, partitions: 4 }
inputs: { in: wait }
stages:
  wait:
    plugin: ${slow}
    config: { ms: 20000 }
    routes: { out: topic:out }
`,
    );
    const producer = await transport.producer();
    const records = Array.from({ length: 8 }, (_, i) => ({
      id: `slow-${i}`,
      type: 'item',
      category: `c${i}`,
      data: {},
      meta: {},
      lineage: [],
      headers: {},
    }));
    await producer.send(records.map((value) => ({ topic: `${s.prefix}in`, key: value.category, value })));
    await producer.close();
    const slowRun = onKafka(s.dir, ['run', 'slow.yaml', '--until-idle', '--quiet-ms', '500'], {
      ...process.env,
      TANE_KAFKA_SESSION_TIMEOUT_MS: '6000',
      TANE_KAFKA_HEARTBEAT_INTERVAL_MS: '1000',
    });
    const code = await slowRun.exited;
    const out = slowRun.output();
    expect(code, out).toBe(0);
    // Assigned once at start, never revoked: the 20 s stage (over 3× the 6 s session timeout) kept the membership.
    expect(out.match(/partitions assigned/g)?.length).toBe(1);
    expect(out).not.toContain('partitions revoked');
    const ids = await s.outIds();
    expect(ids.sort()).toEqual(records.map((r) => r.id).sort());
  }, 200_000);

  it('replay from a checkpoint topic produces the same output ids as the first pass, into new topics', async () => {
    const s = await setup(300);
    const counter = resolve(import.meta.dirname, 'fixtures/counter-plugin.ts');
    const log = join(s.dir, 'calls.log');
    writeFileSync(
      join(s.dir, 'two.yaml'),
      `pipeline: two
topics: { prefix: ${s.prefix}, partitions: 4 }
inputs: { in: first, mid: second }
stages:
  first:
    plugin: ${counter}
    config: { log: ${log} }
    routes: { out: topic:mid }
  second:
    plugin: ${counter}
    config: { log: ${log} }
    routes: { out: topic:final }
`,
    );
    const run = async (args: string[]) => {
      const p = onKafka(s.dir, [...args, '--until-idle', '--quiet-ms', '500']);
      return { code: await p.exited, out: p.output() };
    };
    const first = await run(['run', 'two.yaml']);
    expect(first.code, first.out).toBe(0);
    const replay = await run(['replay', 'two.yaml', '--from', 'mid', '--suffix', 'v2']);
    expect(replay.code, replay.out).toBe(0);
    const ids = async (topic: string) => {
      const list: string[] = [];
      for await (const m of transport.read(topic)) list.push(parseRecord(m.value).id);
      return list.sort();
    };
    const original = await ids(`${s.prefix}final`);
    expect(original).toHaveLength(300);
    expect(await ids(`${s.prefix}final.v2`)).toEqual(original);
    const { readFileSync } = await import('node:fs');
    const calls = readFileSync(log, 'utf8').trim().split('\n');
    expect(calls.filter((l) => l.startsWith('first ')).length).toBe(300);
    expect(calls.filter((l) => l.startsWith('second ')).length).toBe(600);
  }, 200_000);
});
