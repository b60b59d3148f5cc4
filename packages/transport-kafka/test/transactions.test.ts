import { setTimeout as sleep } from 'node:timers/promises';
import {
  type ConsumedMessage,
  type GroupConsumer,
  type OutgoingMessage,
  serializeRecord,
  type TaneError,
  type TaneRecord,
  type Transport,
} from '@tane/core';
import { makeRecord } from '@tane/testkit';
import { type Consumer, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { transactionalIdOf } from '../src/transactional-writer.ts';
import { BROKER, testTransport, unique, useTestTransport } from './broker.ts';

/** Where Kafka's default partitioner (murmur2) puts these keys on a 6-partition topic. */
const KAFKA_PARTITIONS_OF_6: Record<string, number> = {
  'email-reply': 2,
  summarisation: 1,
  'invoice-extraction': 4,
  coding: 5,
  classification: 0,
  reasoning: 3,
};
const KEYS = Object.keys(KAFKA_PARTITIONS_OF_6);

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function readAll(iterable: AsyncIterable<ConsumedMessage>): Promise<ConsumedMessage[]> {
  const out: ConsumedMessage[] = [];
  for await (const m of iterable) out.push(m);
  return out;
}

const idOf = (m: ConsumedMessage): string => (JSON.parse(m.value) as TaneRecord).id;
const dataOf = <D>(m: ConsumedMessage): D => (JSON.parse(m.value) as TaneRecord<D>).data;

/** True when the group's committed offset of every partition is the partition's end. */
async function caughtUp(transport: Transport, group: string, topic: string): Promise<boolean> {
  const ends = await transport.offsets(topic);
  const committed = await transport.committedOffsets(group, topic);
  return ends.every((e) => (committed.find((c) => c.partition === e.partition)?.offset ?? 0) === e.high);
}

/**
 * A transaction's commit returns once it is decided; its markers (which make it visible to
 * read_committed readers and materialise its offsets) are written right after. These wait for them.
 */
async function readSettled(transport: Transport, topic: string, count: number): Promise<ConsumedMessage[]> {
  let read: ConsumedMessage[] = [];
  await waitFor(`${count} records on ${topic}`, async () => {
    read = await readAll(transport.read(topic));
    return read.length >= count;
  });
  return read;
}

async function waitForEnd(transport: Transport, topic: string, high: number): Promise<void> {
  await waitFor(
    `the end of ${topic} at ${high}`,
    async () => (await transport.offsets(topic))[0]?.high === high,
  );
}

async function waitForCommitted(transport: Transport, group: string, topic: string, offsets: number[]) {
  const want = JSON.stringify(offsets.map((offset, partition) => ({ partition, offset })));
  await waitFor(
    `committed offsets ${offsets}`,
    async () => JSON.stringify(await transport.committedOffsets(group, topic)) === want,
  );
}

interface Stage {
  consumer: GroupConsumer;
  delivered: ConsumedMessage[];
  errors: unknown[];
}

/**
 * A stage the way the engine drives a transactional consumer: every record's
 * output and its next offset in one `commitWithOutputs`, position markers
 * committed at once without output. `hold` leaves a record unfinished.
 */
async function startStage(
  transport: Transport,
  options: {
    group: string;
    source: string;
    out?: string;
    by: string;
    hold?: (m: ConsumedMessage) => boolean;
  },
): Promise<Stage> {
  const consumer = await transport.consumer({ group: options.group, topics: [options.source] });
  const stage: Stage = { consumer, delivered: [], errors: [] };
  await consumer.start({
    onError: (err) => stage.errors.push(err),
    async onMessage(m) {
      stage.delivered.push(m);
      if (options.hold?.(m)) return;
      const outputs: OutgoingMessage[] =
        m.control || !options.out
          ? []
          : [
              {
                topic: options.out,
                key: m.key ?? 'none',
                value: makeRecord({ id: `out-${idOf(m)}`, data: { from: m.offset, by: options.by } }),
              },
            ];
      try {
        await consumer.commitWithOutputs!(outputs, [
          { topic: m.topic, partition: m.partition, offset: m.offset + 1 },
        ]);
      } catch (err) {
        stage.errors.push(err);
      }
    },
  });
  return stage;
}

describe('exactly-once output with Kafka transactions', () => {
  const current = useTestTransport({ sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1_000 });
  let transport: Transport;
  const running: GroupConsumer[] = [];
  // A plain kafkajs client, for what tane never does itself: transactions left open or aborted.
  const kafka = new Kafka({ brokers: [BROKER], logLevel: logLevel.NOTHING });

  beforeEach(() => {
    transport = current();
  });

  afterAll(async () => {
    await Promise.allSettled(running.map((c) => c.stop()));
  });

  async function produce(messages: OutgoingMessage[]): Promise<void> {
    const producer = await transport.producer();
    await producer.send(messages);
    await producer.close();
  }

  async function stage(options: Parameters<typeof startStage>[1]): Promise<Stage> {
    const s = await startStage(transport, options);
    running.push(s.consumer);
    return s;
  }

  /** A source and an output topic of a test, a fresh group, and `count` records on the source. */
  async function setUp(
    name: string,
    {
      count,
      sourcePartitions = 1,
      outPartitions = 1,
    }: { count: number; sourcePartitions?: number; outPartitions?: number },
  ): Promise<{ source: string; out: string; group: string }> {
    const source = unique(`${name}-src`);
    const out = unique(`${name}-out`);
    const group = unique('g');
    await transport.createTopics([
      { name: source, partitions: sourcePartitions },
      { name: out, partitions: outPartitions },
    ]);
    await produce(
      Array.from({ length: count }, (_, i) => ({
        topic: source,
        key: 'k',
        partition: i % sourcePartitions,
        value: makeRecord({ id: `r-${i}`, data: { i } }),
      })),
    );
    return { source, out, group };
  }

  /** A member that takes records and commits nothing by itself; returns once it has `count`. */
  async function holdingMember(group: string, source: string, count: number): Promise<GroupConsumer> {
    const consumer = await transport.consumer({ group, topics: [source] });
    running.push(consumer);
    const delivered: ConsumedMessage[] = [];
    await consumer.start({
      async onMessage(m) {
        delivered.push(m);
      },
    });
    await waitFor(`${count} records`, () => delivered.length >= count);
    return consumer;
  }

  /** The raw transactional producer of a test, for what tane itself never does. */
  async function rawProducer(transactionalId: string, transactionTimeout?: number) {
    const producer = kafka.producer({
      transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      ...(transactionTimeout ? { transactionTimeout } : {}),
    });
    await producer.connect();
    return producer;
  }

  it('writes outputs and commits offsets in one step: each output once, on the plain producer’s partitions, committed up to the end', async () => {
    const source = unique('eos-src');
    const out = unique('eos-out');
    const group = unique('g');
    await transport.createTopics([
      { name: source, partitions: 2 },
      { name: out, partitions: 6 },
    ]);
    await produce(
      Array.from({ length: 12 }, (_, i) => ({
        topic: source,
        key: KEYS[i % KEYS.length]!,
        partition: i % 2,
        value: makeRecord({ id: `r-${i}`, data: { i } }),
      })),
    );

    const first = await stage({ group, source, out, by: 'first' });
    expect(typeof first.consumer.commitWithOutputs).toBe('function');
    await waitFor('the source to be committed up to its end', () => caughtUp(transport, group, source));
    expect(first.errors).toEqual([]);
    expect(await transport.committedOffsets(group, source)).toEqual([
      { partition: 0, offset: 6 },
      { partition: 1, offset: 6 },
    ]);

    const outputs = await readSettled(transport, out, 12);
    expect(outputs.map(idOf).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `out-r-${i}`).sort());
    for (const m of outputs) {
      expect(m.control).toBeUndefined();
      // The same partition a plain send of that key would have picked.
      expect(m.partition, `key ${m.key}`).toBe(KAFKA_PARTITIONS_OF_6[m.key!]);
    }

    // Each transaction left a commit marker after its record. A second stage reading the
    // outputs gets position markers for them, and its committed offsets reach the end.
    const ends = await transport.offsets(out);
    expect(ends.reduce((n, e) => n + e.high, 0)).toBe(24);
    const group2 = unique('g2');
    const second = await stage({ group: group2, source: out, by: 'second' });
    await waitFor('the second stage to reach the end of the outputs', () => caughtUp(transport, group2, out));
    const markers = second.delivered.filter((m) => m.control);
    expect(second.delivered.filter((m) => !m.control)).toHaveLength(12);
    expect(markers.length).toBeGreaterThan(0);
    for (const m of markers) {
      expect(m).toMatchObject({ topic: out, control: true, key: null, value: '' });
    }
    for (const e of ends) {
      const inPartition = second.delivered.filter((m) => m.partition === e.partition).map((m) => m.offset);
      // In offset order, and the last thing delivered is the partition's last offset.
      expect(inPartition).toEqual([...inPartition].sort((a, b) => a - b));
      if (e.high > 0) expect(inPartition.at(-1)).toBe(e.high - 1);
    }
    expect(second.errors).toEqual([]);
  }, 120_000);

  it('reaches the end of a topic whose last transaction was aborted, in both commit modes; read() yields only committed records', async () => {
    const topic = unique('eos-aborted-tail');
    await transport.createTopics([{ name: topic, partitions: 1 }]);
    const raw = await rawProducer(unique('raw-txn'));
    const record = (id: string) => ({ key: 'k', value: serializeRecord(makeRecord({ id, data: { id } })) });
    let txn = await raw.transaction();
    await txn.send({ topic, messages: [record('kept-0'), record('kept-1')] });
    await txn.commit();
    txn = await raw.transaction();
    await txn.send({ topic, messages: [record('aborted-0'), record('aborted-1')] });
    await txn.abort();
    await raw.disconnect();
    // Two records, a commit marker, two aborted records, an abort marker.
    await waitForEnd(transport, topic, 6);
    expect(await transport.offsets(topic)).toEqual([{ partition: 0, low: 0, high: 6 }]);

    const read = await readAll(transport.read(topic));
    expect(read.map(idOf)).toEqual(['kept-0', 'kept-1']);
    expect(read.some((m) => m.control)).toBe(false);

    // Transactional commits (the default).
    const group = unique('g');
    const eos = await stage({ group, source: topic, by: 'eos' });
    await waitFor('committed offset 6', () => caughtUp(transport, group, topic));
    expect(eos.delivered.filter((m) => !m.control).map(idOf)).toEqual(['kept-0', 'kept-1']);
    expect(eos.delivered.filter((m) => m.control).at(-1)?.offset).toBe(5);

    // Plain commits, with transactions switched off.
    const plainTransport = await testTransport({ transactions: false });
    try {
      const plainGroup = unique('g-plain');
      const consumer = await plainTransport.consumer({ group: plainGroup, topics: [topic] });
      expect(consumer.commitWithOutputs).toBeUndefined();
      const seen: ConsumedMessage[] = [];
      await consumer.start({
        async onMessage(m) {
          seen.push(m);
          await consumer.commit([{ topic: m.topic, partition: m.partition, offset: m.offset + 1 }]);
        },
      });
      await waitFor('committed offset 6 with plain commits', () => caughtUp(transport, plainGroup, topic));
      expect(seen.filter((m) => !m.control).map(idOf)).toEqual(['kept-0', 'kept-1']);
      await consumer.stop();
    } finally {
      await plainTransport.close();
    }
  }, 120_000);

  it('read() ends at the last stable offset while a transaction is open, without its records', async () => {
    const topic = unique('eos-open');
    await transport.createTopics([{ name: topic, partitions: 1 }]);
    const raw = await rawProducer(unique('raw-txn'));
    const record = (id: string) => ({ key: 'k', value: serializeRecord(makeRecord({ id, data: { id } })) });
    let txn = await raw.transaction();
    await txn.send({ topic, messages: [record('committed-0')] });
    await txn.commit();
    txn = await raw.transaction();
    await txn.send({ topic, messages: [record('open-0'), record('open-1')] });
    try {
      // The open transaction starts at offset 2 (after the record and its commit marker).
      await waitForEnd(transport, topic, 2);
      expect(await transport.offsets(topic)).toEqual([{ partition: 0, low: 0, high: 2 }]);
      expect((await readAll(transport.read(topic))).map(idOf)).toEqual(['committed-0']);
      await txn.commit();
    } finally {
      await raw.disconnect();
    }
    expect((await readSettled(transport, topic, 3)).map(idOf)).toEqual(['committed-0', 'open-0', 'open-1']);
  }, 60_000);

  it('an aborted transaction leaves nothing visible, and the next commit of the partition works', async () => {
    const { source, out, group } = await setUp('eos-abort', { count: 2 });
    const consumer = await holdingMember(group, source, 2);
    const output = (i: number, text = ''): OutgoingMessage => ({
      topic: out,
      key: 'k',
      value: makeRecord({ id: `out-${i}`, data: { i, text } }),
    });

    // The small record goes out in its own request first, then the broker refuses the big one.
    const error = await consumer.commitWithOutputs!(
      [output(0), output(99, 'x'.repeat(2 * 1024 * 1024))],
      [{ topic: source, partition: 0, offset: 1 }],
    ).then(
      () => undefined,
      (e: unknown) => e as TaneError,
    );
    expect(error?.code).toBe('TRANSPORT_ERROR');
    expect(error?.hint).toContain('message.max.bytes');
    expect(await transport.committedOffsets(group, source)).toEqual([]);
    // The small record was written, then aborted: it and the abort marker take offsets 0 and 1.
    await waitForEnd(transport, out, 2);
    expect(await transport.offsets(out)).toEqual([{ partition: 0, low: 0, high: 2 }]);
    expect(await readAll(transport.read(out))).toEqual([]);

    await consumer.commitWithOutputs!([output(0)], [{ topic: source, partition: 0, offset: 1 }]);
    await consumer.commitWithOutputs!([output(1)], [{ topic: source, partition: 0, offset: 2 }]);
    expect((await readSettled(transport, out, 2)).map(idOf)).toEqual(['out-0', 'out-1']);
    await waitForCommitted(transport, group, source, [2]);

    // Each partition once, and only partitions this member owns.
    await expect(consumer.commitWithOutputs!([], [])).rejects.toMatchObject({ code: 'USAGE' });
    await expect(
      consumer.commitWithOutputs!(
        [],
        [
          { topic: source, partition: 0, offset: 2 },
          { topic: source, partition: 0, offset: 2 },
        ],
      ),
    ).rejects.toMatchObject({ code: 'USAGE' });
    await expect(
      consumer.commitWithOutputs!(
        [output(2)],
        [
          { topic: source, partition: 0, offset: 2 },
          { topic: out, partition: 0, offset: 0 },
        ],
      ),
    ).rejects.toMatchObject({ code: 'GROUP_LOCKED' });
    expect((await readAll(transport.read(out))).map(idOf)).toEqual(['out-0', 'out-1']);
    await expect(
      consumer.commitWithOutputs!(
        [{ ...output(2), topic: unique('missing') }],
        [{ topic: source, partition: 0, offset: 2 }],
      ),
    ).rejects.toMatchObject({ code: 'TOPIC_NOT_FOUND' });
  }, 90_000);

  it('commits a call naming several source partitions in one transaction', async () => {
    const { source, out, group } = await setUp('eos-multi', { count: 2, sourcePartitions: 2 });
    const consumer = await holdingMember(group, source, 2);
    await consumer.commitWithOutputs!(
      [0, 1].map((p) => ({ topic: out, key: 'k', value: makeRecord({ id: `out-${p}`, data: { p } }) })),
      [
        { topic: source, partition: 0, offset: 1 },
        { topic: source, partition: 1, offset: 1 },
      ],
    );
    await waitForCommitted(transport, group, source, [1, 1]);
    expect((await readSettled(transport, out, 2)).map(idOf)).toEqual(['out-0', 'out-1']);
  }, 60_000);

  it('fences a zombie: once another member took its partition over, its commit throws GROUP_LOCKED and writes nothing', async () => {
    const { source, out, group } = await setUp('eos-zombie', { count: 10 });

    // A finishes records 0..3 and is still working on 4 when it stalls.
    const a = await stage({ group, source, out, by: 'a', hold: (m) => m.offset >= 4 });
    await waitFor('a to commit up to offset 4', async () =>
      (await transport.committedOffsets(group, source)).some((c) => c.offset === 4),
    );
    await waitFor('a to hold record 4', () => a.delivered.some((m) => m.offset === 4));
    // A zombie: its kafkajs member leaves the group (as a stalled process is thrown out), but A
    // itself is never told, so it still believes it owns the partition and keeps its producer.
    await (a.consumer as unknown as { consumer: Consumer }).consumer.stop();
    expect(a.consumer.assignment()).toEqual([{ topic: source, partition: 0 }]);

    const b = await stage({ group, source, out, by: 'b' });
    await waitFor('b to finish the source', () => caughtUp(transport, group, source));
    // B went on exactly where A's last commit left the partition.
    expect(b.delivered.filter((m) => !m.control)[0]?.offset).toBe(4);

    // A wakes up and commits the record it was working on.
    const zombie = await a.consumer.commitWithOutputs!(
      [{ topic: out, key: 'k', value: makeRecord({ id: 'out-r-4', data: { from: 4, by: 'a' } }) }],
      [{ topic: source, partition: 0, offset: 5 }],
    ).then(
      () => undefined,
      (e: unknown) => e as TaneError,
    );
    expect(zombie?.code).toBe('GROUP_LOCKED');
    expect(zombie?.message).toContain('fenced');
    expect(await transport.committedOffsets(group, source)).toEqual([{ partition: 0, offset: 10 }]);

    const outputs = await readSettled(transport, out, 10);
    expect(outputs.map(idOf)).toEqual(Array.from({ length: 10 }, (_, i) => `out-r-${i}`));
    expect(outputs.map((m) => dataOf<{ by: string }>(m).by)).toEqual([...'aaaabbbbbb']);
    expect(a.errors).toEqual([]);
    expect(b.errors).toEqual([]);
  }, 120_000);

  it('a member that still owns its partition after a fence (the broker bumped the epoch) commits again once heartbeats confirm it', async () => {
    const { source, out, group } = await setUp('eos-refence', { count: 2 });
    const consumer = await holdingMember(group, source, 2);
    const commit = (i: number) =>
      consumer.commitWithOutputs!(
        [{ topic: out, key: 'k', value: makeRecord({ id: `out-${i}`, data: { i } }) }],
        [{ topic: source, partition: 0, offset: i + 1 }],
      );
    await commit(0);

    // Something else registers the member's transactional id: its producer is fenced.
    const other = await rawProducer(transactionalIdOf({ group, topic: source, partition: 0 }));
    await (await other.transaction()).abort();
    await other.disconnect();

    await expect(commit(1)).rejects.toMatchObject({ code: 'GROUP_LOCKED' });
    // The group still has this member owning the partition: after two heartbeats (1 s apart here)
    // the member makes a new producer and the commit goes through.
    let accepted = false;
    await waitFor('the commit to be accepted again', async () => {
      accepted = await commit(1).then(
        () => true,
        (err: TaneError) => {
          expect(err.code).toBe('GROUP_LOCKED');
          return false;
        },
      );
      return accepted;
    });
    expect((await readSettled(transport, out, 2)).map(idOf)).toEqual(['out-0', 'out-1']);
    await waitForCommitted(transport, group, source, [2]);
  }, 90_000);

  it('a new owner aborts the transaction its crashed predecessor left open, and starts from the committed offset', async () => {
    const { source, out, group } = await setUp('eos-crash', { count: 3 });

    // The crashed predecessor: its transaction wrote an output and the offset, and never ended.
    const crashed = await rawProducer(transactionalIdOf({ group, topic: source, partition: 0 }), 60_000);
    const txn = await crashed.transaction();
    await txn.send({
      topic: out,
      messages: [
        { key: 'k', value: serializeRecord(makeRecord({ id: 'out-r-0', data: { by: 'crashed' } })) },
      ],
    });
    await txn.sendOffsets({
      consumerGroupId: group,
      topics: [{ topic: source, partitions: [{ partition: 0, offset: '1' }] }],
    });
    // Readers stop before the open transaction.
    expect(await readAll(transport.read(out))).toEqual([]);

    const b = await stage({ group, source, out, by: 'b' });
    await waitFor('b to finish the source', () => caughtUp(transport, group, source));
    expect(b.delivered.filter((m) => !m.control).map((m) => m.offset)).toEqual([0, 1, 2]);
    const outputs = await readSettled(transport, out, 3);
    expect(outputs.map(idOf)).toEqual(['out-r-0', 'out-r-1', 'out-r-2']);
    expect(outputs.every((m) => dataOf<{ by: string }>(m).by === 'b')).toBe(true);
    // The predecessor was fenced: its transaction cannot be committed any more.
    await expect(txn.commit()).rejects.toThrow();
    await crashed.disconnect();
    expect(b.errors).toEqual([]);
  }, 120_000);
});
