import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConsumedMessage, GroupConsumer, OutgoingMessage, TopicPartition, Transport } from '@tane/core';
import { createLocalTransport, describeLocalStore, localTransportFactory } from '@tane/transport-local';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from './fixtures/spawn-fixture.ts';

const value = (key: string, n: number) => ({
  id: `${key}-${n}`,
  type: 'test',
  category: key,
  data: { n },
  meta: {},
  lineage: [],
  headers: {},
});

const msg = (topic: string, key: string, n: number, partition?: number): OutgoingMessage => ({
  topic,
  key,
  value: value(key, n),
  ...(partition === undefined ? {} : { partition }),
});

async function rejection(
  promise: Promise<unknown>,
): Promise<{ code?: string; message: string; hint?: string }> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: { code?: string; message: string; hint?: string }) => err,
  );
}

describe('local transport', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tane-local-'));
  const open: Transport[] = [];
  let n = 0;
  afterEach(async () => {
    for (const t of open.splice(0)) await t.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function fresh(options: { defaultPartitions?: number; leaseTimeoutMs?: number; path?: string } = {}) {
    const transport = await createLocalTransport({
      path: options.path ?? join(dir, `t${n++}.db`),
      ...options,
    });
    open.push(transport);
    return transport;
  }

  async function send(transport: Transport, messages: OutgoingMessage[]) {
    await (await transport.producer()).send(messages);
  }

  it('opens from a local: URL, creating the folder', async () => {
    const path = join(dir, 'nested', 'deeper', 'tane.db');
    const transport = await localTransportFactory.create(`local:${path}`);
    open.push(transport);
    expect(localTransportFactory.scheme).toBe('local');
    expect(transport.kind).toBe('local');
    expect(transport.description).toBe(path);
    expect(existsSync(path)).toBe(true);
  });

  it('keeps committed offsets and messages across a close and a reopen', async () => {
    const path = join(dir, 'reopen.db');
    const first = await fresh({ path });
    await first.createTopics([{ name: 't', partitions: 2 }]);
    await send(first, [msg('t', 'a', 0, 0), msg('t', 'a', 1, 0), msg('t', 'b', 0, 1)]);
    // An offset past the end stands for the end.
    await first.resetOffsets('g', 't', {
      to: 'offsets',
      offsets: [
        { partition: 0, offset: 1 },
        { partition: 1, offset: 99 },
      ],
    });
    await first.close();

    const second = await fresh({ path });
    expect(await second.listTopics()).toEqual([{ name: 't', partitions: 2 }]);
    expect(await second.committedOffsets('g', 't')).toEqual([
      { partition: 0, offset: 1 },
      { partition: 1, offset: 1 },
    ]);
    expect(await second.offsets('t')).toEqual([
      { partition: 0, low: 0, high: 2 },
      { partition: 1, low: 0, high: 1 },
    ]);
  });

  it('gives a topic created without a partition count the default', async () => {
    const transport = await fresh({ defaultPartitions: 4 });
    await transport.createTopics([{ name: 'd', partitions: 0 }]);
    expect(await transport.listTopics()).toEqual([{ name: 'd', partitions: 4 }]);
  });

  it('refuses topic names Kafka would refuse, and impossible partition counts', async () => {
    const transport = await fresh();
    expect(await rejection(transport.createTopics([{ name: 'bad name', partitions: 1 }]))).toMatchObject({
      code: 'TRANSPORT_ERROR',
    });
    expect(await rejection(transport.createTopics([{ name: 'ok', partitions: -2 }]))).toMatchObject({
      code: 'TRANSPORT_ERROR',
    });
    expect(await transport.listTopics()).toEqual([]);
  });

  it('keeps only the newest message per key in a compacted topic', async () => {
    const transport = await fresh();
    await transport.createTopics([{ name: 'seeds', partitions: 1, compacted: true }]);
    await send(transport, [msg('seeds', 'a', 1), msg('seeds', 'b', 1), msg('seeds', 'a', 2)]);
    await send(transport, [msg('seeds', 'a', 3)]);
    const read: ConsumedMessage[] = [];
    for await (const m of transport.read('seeds')) read.push(m);
    expect(read.map((m) => [m.key, m.offset, JSON.parse(m.value).data.n])).toEqual([
      ['b', 1, 1],
      ['a', 3, 3],
    ]);
    expect(await transport.listTopics()).toEqual([{ name: 'seeds', partitions: 1, compacted: true }]);
    expect(await transport.offsets('seeds')).toEqual([{ partition: 0, low: 1, high: 4 }]);
  });

  it('writes a batch all or nothing', async () => {
    const transport = await fresh();
    await transport.createTopics([{ name: 't', partitions: 2 }]);
    const error = await rejection(send(transport, [msg('t', 'a', 0), msg('t', 'a', 1, 7)]));
    expect(error.code).toBe('TRANSPORT_ERROR');
    expect(error.message).toContain('partition 7');
    const missing = await rejection(send(transport, [msg('t', 'a', 0), msg('nope', 'a', 1)]));
    expect(missing.code).toBe('TOPIC_NOT_FOUND');
    expect(missing.hint).toContain('tane topics create nope');
    expect(await transport.offsets('t')).toEqual([
      { partition: 0, low: 0, high: 0 },
      { partition: 1, low: 0, high: 0 },
    ]);
  });

  describe('consumer groups in one process', () => {
    const consumers: GroupConsumer[] = [];
    afterEach(async () => {
      for (const c of consumers.splice(0)) await c.stop();
    });

    async function member(
      transport: Transport,
      group: string,
      log: string[],
      received: ConsumedMessage[] = [],
    ) {
      const consumer = await transport.consumer({ group, topics: ['t'] });
      consumers.push(consumer);
      const name = `m${consumers.length}`;
      await consumer.start({
        async onMessage(m) {
          received.push(m);
          await consumer.commit([{ topic: m.topic, partition: m.partition, offset: m.offset + 1 }]);
        },
        onAssigned: (ps: TopicPartition[]) => {
          log.push(`${name} +${ps.map((p) => p.partition).join(',')}`);
        },
        onRevoked: (ps: TopicPartition[]) => {
          log.push(`${name} -${ps.map((p) => p.partition).join(',')}`);
        },
      });
      return consumer;
    }

    it('splits partitions between two members, rebalancing when one joins and when one leaves', async () => {
      const transport = await fresh();
      await transport.createTopics([{ name: 't', partitions: 4 }]);
      const log: string[] = [];
      const first = await member(transport, 'g', log);
      expect(first.assignment().map((p) => p.partition)).toEqual([0, 1, 2, 3]);

      const second = await member(transport, 'g', log);
      await waitUntil('the split', () => first.assignment().length === 2 && second.assignment().length === 2);
      const owned = [...first.assignment(), ...second.assignment()].map((p) => p.partition).sort();
      expect(owned).toEqual([0, 1, 2, 3]);
      expect(log.slice(0, 3)).toEqual(['m1 +0,1,2,3', 'm1 -1,3', 'm2 +1,3']);

      // The first member cannot commit what it gave away; what it still owns in the same call is committed.
      const kept = first.assignment()[0]!.partition;
      const refused = await rejection(
        first.commit([
          { topic: 't', partition: kept, offset: 0 },
          { topic: 't', partition: 1, offset: 0 },
        ]),
      );
      expect(refused.code).toBe('GROUP_LOCKED');
      expect(refused.message).toContain('t/1 (now with pid');
      expect(refused.message).toContain("group 'g'");
      expect(await transport.committedOffsets('g', 't')).toEqual([{ partition: kept, offset: 0 }]);

      await second.stop();
      await waitUntil('the first member to own everything again', () => first.assignment().length === 4);
      expect(log.at(-1)).toBe('m1 +1,3');
      const afterStop = await rejection(second.commit([{ topic: 't', partition: 1, offset: 0 }]));
      expect(afterStop.code).toBe('GROUP_LOCKED');
    });

    it('refuses to commit past the end of a partition', async () => {
      const transport = await fresh();
      await transport.createTopics([{ name: 't', partitions: 1 }]);
      const consumer = await member(transport, 'g', []);
      const error = await rejection(consumer.commit([{ topic: 't', partition: 0, offset: 5 }]));
      expect(error.code).toBe('TRANSPORT_ERROR');
      expect(error.message).toContain('ends at 0');
    });

    it('stops a member whose onMessage throws, and its partitions go to the next member from the last commit', async () => {
      const transport = await fresh();
      await transport.createTopics([{ name: 't', partitions: 1 }]);
      await send(
        transport,
        [0, 1, 2].map((i) => msg('t', 'k', i)),
      );
      const errors: Error[] = [];
      const consumer = await transport.consumer({ group: 'g', topics: ['t'] });
      consumers.push(consumer);
      await consumer.start({
        async onMessage(m) {
          if (m.offset === 1) throw new Error('boom');
          await consumer.commit([{ topic: 't', partition: 0, offset: m.offset + 1 }]);
        },
        onError: (e) => {
          errors.push(e);
        },
      });
      await waitUntil('the error', () => errors.length > 0);
      expect(errors[0]).toMatchObject({ code: 'STAGE_ERROR', where: 't/0@1' });
      expect(consumer.assignment()).toEqual([]);

      const received: ConsumedMessage[] = [];
      await member(transport, 'g', [], received);
      await waitUntil('redelivery', () => received.length >= 2);
      expect(received.map((m) => m.offset)).toEqual([1, 2]);
    });

    it('describes topics, groups, members and lag', async () => {
      const path = join(dir, 'describe.db');
      const transport = await fresh({ path });
      await transport.createTopics([
        { name: 't', partitions: 2 },
        { name: 'c', partitions: 1, compacted: true },
      ]);
      await send(transport, [
        msg('t', 'a', 0, 0),
        msg('t', 'a', 1, 0),
        msg('t', 'a', 2, 1),
        msg('c', 'x', 0),
        msg('c', 'x', 1),
      ]);
      await transport.resetOffsets('g', 't', { to: 'offsets', offsets: [{ partition: 0, offset: 1 }] });
      await member(transport, 'live', []);

      const store = await describeLocalStore(path);
      expect(store.path).toBe(path);
      expect(store.topics.map((t) => [t.name, t.partitions, t.compacted, t.messages])).toEqual([
        ['c', 1, true, 1],
        ['t', 2, false, 3],
      ]);
      expect(store.topics[1]!.partitionDetails).toEqual([
        { partition: 0, low: 0, high: 2, messages: 2 },
        { partition: 1, low: 0, high: 1, messages: 1 },
      ]);
      const g = store.groups.find((x) => x.group === 'g');
      expect(g?.offsets).toMatchObject([{ topic: 't', partition: 0, offset: 1, high: 2, lag: 1 }]);
      expect(g?.lag).toBe(1);
      const live = store.groups.find((x) => x.group === 'live');
      expect(live?.members).toHaveLength(1);
      expect(live?.members[0]).toMatchObject({ pid: process.pid, alive: true });
      expect(live?.members[0]?.partitions).toEqual([
        { topic: 't', partition: 0 },
        { topic: 't', partition: 1 },
      ]);
    });
  });

  it('ends followers and refuses further use when closed', async () => {
    const transport = await createLocalTransport({ path: join(dir, 'closing.db') });
    await transport.createTopics([{ name: 't', partitions: 1 }]);
    const following = (async () => {
      const seen: ConsumedMessage[] = [];
      for await (const m of transport.read('t', { follow: true })) seen.push(m);
      return seen;
    })();
    await send(transport, [msg('t', 'k', 0)]);
    await transport.close();
    expect((await following).length).toBeLessThanOrEqual(1);
    expect(await rejection(transport.listTopics())).toMatchObject({ code: 'TRANSPORT_ERROR' });
  });

  it('refuses a store written by a newer layout', async () => {
    const path = join(dir, 'newer.db');
    const raw = new Database(path);
    raw.pragma('user_version = 99');
    raw.close();
    const error = await rejection(createLocalTransport({ path }));
    expect(error.code).toBe('TRANSPORT_ERROR');
    expect(error.message).toContain('newer');
  });

  it('tells a missing store apart in describeLocalStore', async () => {
    const error = await rejection(describeLocalStore(join(dir, 'absent.db')));
    expect(error.code).toBe('TRANSPORT_UNREACHABLE');
  });
});
