import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConsumedMessage, GroupConsumer, OutgoingMessage, Transport } from '@tane/core';
import { createLocalTransport } from '@tane/transport-local';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type FixtureEvent, type RunningFixture, startFixture, waitUntil } from './fixtures/spawn-fixture.ts';

const value = (i: number) => ({
  id: `m-${i}`,
  type: 'test',
  category: 'group',
  data: { i },
  meta: {},
  lineage: [],
  headers: {},
});

function messages(topic: string, count: number, from = 0): OutgoingMessage[] {
  return Array.from({ length: count }, (_, k) => ({ topic, key: `key-${from + k}`, value: value(from + k) }));
}

/** Messages a member finished and committed. */
const processed = (events: FixtureEvent[]) => events.filter((e) => e.ev === 'msg' && e.committed === true);
/** Every message a member worked on, committed or not. */
const handled = (events: FixtureEvent[]) => events.filter((e) => e.ev === 'msg');

describe('group exclusivity across processes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tane-local-group-'));
  const fixtures: RunningFixture[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const f of fixtures.splice(0)) {
      if (f.child.exitCode === null && f.child.signalCode === null) f.child.kill('SIGKILL');
      await f.exited;
    }
    for (const c of cleanups.splice(0)) await c();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function open(db: string, options: { leaseTimeoutMs?: number; heartbeatIntervalMs?: number } = {}) {
    const transport = await createLocalTransport({ path: db, ...options });
    cleanups.push(() => transport.close());
    return transport;
  }

  function member(args: Record<string, unknown>): RunningFixture {
    const f = startFixture('group-member', args);
    fixtures.push(f);
    return f;
  }

  it('splits partitions between two live processes and never processes a partition in both at once', async () => {
    const db = join(dir, 'split.db');
    const topic = 'work';
    const group = 'workers';
    const transport = await open(db);
    await transport.createTopics([{ name: topic, partitions: 4 }]);
    const producer = await transport.producer();
    await producer.send(messages(topic, 60));

    // Messages take longer than a heartbeat, so a hand-over that did not wait for them would overlap.
    const common = { db, topic, group, leaseMs: 5000, heartbeatMs: 100, delayMs: 250 };
    const a = member(common);
    await a.waitFor('a to own everything', (ev) => ev.some((e) => e.ev === 'ready'));
    expect(a.events.find((e) => e.ev === 'ready')?.assignment).toEqual([0, 1, 2, 3]);
    await a.waitFor('a to process some', (ev) => processed(ev).length >= 4);

    const b = member(common);
    await b.waitFor('b to be given partitions', (ev) => ev.some((e) => e.ev === 'assigned'), 30_000);
    await waitUntil(
      'all 60 messages',
      () => processed(a.events).length + processed(b.events).length >= 60,
      60_000,
    );
    for (const f of [a, b]) f.send({ cmd: 'stop' });
    await Promise.all([a.exited, b.exited]);

    const all = [...processed(a.events), ...processed(b.events)];
    // Each message exactly once: commits per message plus a clean hand-over leave no redelivery.
    const ids = all.map((e) => `${e.partition}@${e.offset}`);
    expect(new Set(ids).size).toBe(60);
    expect(ids).toHaveLength(60);
    expect([...handled(a.events), ...handled(b.events)].filter((e) => !e.committed)).toEqual([]);
    expect(processed(b.events).length).toBeGreaterThan(0);
    expect(a.events.some((e) => e.ev === 'revoked')).toBe(true);

    // No partition was in the hands of both processes at the same time.
    for (let p = 0; p < 4; p++) {
      const inA = handled(a.events).filter((e) => e.partition === p);
      const inB = handled(b.events).filter((e) => e.partition === p);
      for (const x of inA) {
        for (const y of inB) {
          const overlap = (x.start as number) < (y.end as number) && (y.start as number) < (x.end as number);
          expect(overlap, `partition ${p}: a@${x.offset} and b@${y.offset}`).toBe(false);
        }
      }
    }
    const committed = await transport.committedOffsets(group, topic);
    const offsets = await transport.offsets(topic);
    for (const { partition, high } of offsets) {
      expect(committed.find((c) => c.partition === partition)?.offset).toBe(high);
    }
  }, 120_000);

  it('takes over at once from a member killed with SIGKILL, and refuses resetOffsets only while it lived', async () => {
    const db = join(dir, 'killed.db');
    const topic = 'work';
    const group = 'workers';
    // Leases far longer than the test: only the dead-pid check can free the partitions.
    const transport = await open(db, { leaseTimeoutMs: 600_000 });
    await transport.createTopics([{ name: topic, partitions: 3 }]);
    const a = member({ db, topic, group, leaseMs: 600_000, heartbeatMs: 1000 });
    await a.waitFor('a ready', (ev) => ev.some((e) => e.ev === 'ready'));

    const locked = await transport
      .resetOffsets(group, topic, { to: 'earliest' })
      .catch((err: unknown) => err);
    expect(locked).toMatchObject({ code: 'GROUP_LOCKED' });
    expect((locked as Error).message).toContain(`pid ${a.pid}`);

    a.child.kill('SIGKILL');
    await a.exited;
    await transport.resetOffsets(group, topic, { to: 'earliest' });

    const consumer = await transport.consumer({ group, topics: [topic] });
    cleanups.unshift(() => consumer.stop());
    await consumer.start({ onMessage: async () => {} });
    expect(consumer.assignment().map((p) => p.partition)).toEqual([0, 1, 2]);
  }, 60_000);

  it('gives a stalled member’s partitions away after its lease, and refuses its late commit', async () => {
    const db = join(dir, 'stalled.db');
    const topic = 'work';
    const group = 'workers';
    const leaseMs = 1500;
    const transport = await open(db, { leaseTimeoutMs: leaseMs, heartbeatIntervalMs: 200 });
    await transport.createTopics([{ name: topic, partitions: 2 }]);
    const producer = await transport.producer();
    await producer.send([
      ...messages(topic, 3).map((m) => ({ ...m, partition: 0 })),
      ...messages(topic, 3, 3).map((m) => ({ ...m, partition: 1 })),
    ]);

    // A holds the first message of partition 0 and processes partition 1.
    const a = member({ db, topic, group, leaseMs, heartbeatMs: 200, holdPartition: 0 });
    await a.waitFor('a holding partition 0', (ev) => ev.some((e) => e.ev === 'holding'));
    await a.waitFor('a done with partition 1', (ev) => processed(ev).length >= 3);

    a.child.kill('SIGSTOP');
    try {
      const received: ConsumedMessage[] = [];
      const consumer = await startMember(transport, group, topic, received);
      // A's lease is still fresh: B gets nothing until it runs out.
      expect(consumer.assignment()).toEqual([]);
      await waitUntil('b to own both partitions', () => consumer.assignment().length === 2, 30_000);
      await waitUntil('b to redeliver partition 0', () =>
        received.some((m) => m.partition === 0 && m.offset === 2),
      );
      // Partition 0 restarts at A's last commit (none): its held message comes again. Partition 1 does not.
      expect(received.filter((m) => m.partition === 0).map((m) => m.offset)).toEqual([0, 1, 2]);
      expect(received.filter((m) => m.partition === 1)).toEqual([]);
    } finally {
      a.child.kill('SIGCONT');
    }

    a.send({ cmd: 'go' });
    await a.waitFor('a late commit', (ev) => ev.some((e) => e.ev === 'commit-result'));
    const result = a.events.find((e) => e.ev === 'commit-result');
    expect(result).toMatchObject({ ok: false, code: 'GROUP_LOCKED' });
    expect(result?.message).toContain('work/0');
    await a.waitFor('a told it lost partition 0', (ev) =>
      ev.some((e) => e.ev === 'revoked' && (e.partitions as number[]).includes(0)),
    );
    expect(await transport.committedOffsets(group, topic)).toContainEqual({ partition: 0, offset: 3 });
  }, 60_000);

  async function startMember(
    transport: Transport,
    group: string,
    topic: string,
    received: ConsumedMessage[],
  ): Promise<GroupConsumer> {
    const consumer = await transport.consumer({ group, topics: [topic] });
    cleanups.unshift(() => consumer.stop());
    await consumer.start({
      async onMessage(m) {
        received.push(m);
        await consumer.commit([{ topic: m.topic, partition: m.partition, offset: m.offset + 1 }]);
      },
    });
    return consumer;
  }
});
