import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type {
  CommittedOffset,
  ConsumedMessage,
  ConsumerHandlers,
  ConsumerOptions,
  GroupConsumer,
  OutgoingMessage,
  TaneRecord,
  TopicPartition,
  Transport,
} from '@tane/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

/** What the suite needs: a fresh transport, and how to dispose of it. */
export interface TransportConformanceSetup {
  transport: Transport;
  cleanup(): Promise<void>;
}

// Generous, so that the same suite passes against a real broker (group joins take seconds there).
const TEST_TIMEOUT_MS = 120_000;
const WAIT_TIMEOUT_MS = 60_000;
/** How long "nothing more arrives" is watched for. */
const QUIET_MS = 1_500;

/**
 * Partitions Kafka's default partitioner (murmur2, as in the Java client and
 * kafkajs) gives these keys on a 6-partition topic. Every transport must agree,
 * so that data lands in the same partitions locally and on Kafka.
 */
const KAFKA_PARTITIONS_OF_6: Record<string, number> = {
  'email-reply': 2,
  summarisation: 1,
  'invoice-extraction': 4,
  coding: 5,
  classification: 0,
  reasoning: 3,
  請求書: 0,
};

const unique = (label: string): string => `conformance-${label}-${randomUUID().slice(0, 8)}`;

function record(key: string, seq: number): TaneRecord<{ seq: number; key: string }> {
  return {
    id: `${key}-${seq}`,
    type: 'test',
    category: key,
    data: { seq, key },
    meta: {},
    lineage: [],
    headers: {},
  };
}

function message(topic: string, key: string, seq: number, partition?: number): OutgoingMessage {
  return { topic, key, value: record(key, seq), ...(partition === undefined ? {} : { partition }) };
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = WAIT_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

const byPartition = (messages: ConsumedMessage[], partition: number): ConsumedMessage[] =>
  messages.filter((m) => m.partition === partition);

const offsetsOf = (messages: ConsumedMessage[]): number[] => messages.map((m) => m.offset);

const seqOf = (m: ConsumedMessage): number => (JSON.parse(m.value) as TaneRecord<{ seq: number }>).data.seq;

async function readAll(iterable: AsyncIterable<ConsumedMessage>): Promise<ConsumedMessage[]> {
  const out: ConsumedMessage[] = [];
  for await (const m of iterable) out.push(m);
  return out;
}

async function expectCode(promise: Promise<unknown>, code: string, mentions?: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error, `expected a ${code} error`).toBeInstanceOf(Error);
  expect((error as { code?: string }).code).toBe(code);
  if (mentions) expect((error as Error).message).toContain(mentions);
}

/**
 * The behaviour every transport must have, as a vitest suite: topics and
 * partitions, Kafka's key partitioning, per-partition order, committed offsets,
 * redelivery, pause/resume, backpressure, `read`, `offsets`, `resetOffsets`,
 * `commitWithOutputs` (when the transport offers it) and `TOPIC_NOT_FOUND`. Topic and group names are unique per test, so it can run
 * against a shared broker.
 *
 * @example
 * ```ts
 * describeTransportConformance('local', async () => {
 *   const dir = mkdtempSync(join(tmpdir(), 'tane-'));
 *   const transport = await createLocalTransport({ path: join(dir, 'tane.db') });
 *   return { transport, cleanup: async () => { await transport.close(); rmSync(dir, { recursive: true }); } };
 * });
 * ```
 */
export function describeTransportConformance(
  name: string,
  setup: () => Promise<TransportConformanceSetup>,
): void {
  describe(`transport conformance: ${name}`, () => {
    let env: TransportConformanceSetup;
    let transport: Transport;
    const running: GroupConsumer[] = [];
    const aborts: AbortController[] = [];

    beforeAll(async () => {
      env = await setup();
      transport = env.transport;
    }, TEST_TIMEOUT_MS);

    afterEach(async () => {
      for (const a of aborts.splice(0)) a.abort();
      for (const c of running.splice(0)) await c.stop().catch(() => {});
    }, TEST_TIMEOUT_MS);

    afterAll(async () => {
      await env?.cleanup();
    }, TEST_TIMEOUT_MS);

    async function produce(messages: OutgoingMessage[]): Promise<void> {
      const producer = await transport.producer();
      try {
        await producer.send(messages);
      } finally {
        await producer.close();
      }
    }

    /** Starts a group member that records every message (and, with `commitEach`, commits it). */
    async function collect(
      options: ConsumerOptions,
      behaviour: {
        commitEach?: boolean;
        onMessage?: (m: ConsumedMessage, consumer: GroupConsumer) => Promise<void> | void;
        handlers?: Partial<ConsumerHandlers>;
      } = {},
    ): Promise<{ consumer: GroupConsumer; messages: ConsumedMessage[]; handled: ConsumedMessage[] }> {
      const consumer = await transport.consumer(options);
      running.push(consumer);
      /** Delivered (onMessage called). */
      const messages: ConsumedMessage[] = [];
      /** Done with (onMessage resolved, after its commit if `commitEach`). */
      const handled: ConsumedMessage[] = [];
      await consumer.start({
        ...behaviour.handlers,
        async onMessage(m) {
          messages.push(m);
          await behaviour.onMessage?.(m, consumer);
          if (behaviour.commitEach) {
            await consumer.commit([{ topic: m.topic, partition: m.partition, offset: m.offset + 1 }]);
          }
          handled.push(m);
        },
      });
      return { consumer, messages, handled };
    }

    async function stop(consumer: GroupConsumer): Promise<void> {
      const i = running.indexOf(consumer);
      if (i >= 0) running.splice(i, 1);
      await consumer.stop();
    }

    it(
      'creates topics with their partitions, idempotently, and lists them',
      async () => {
        const a = unique('topics-a');
        const b = unique('topics-b');
        await transport.createTopics([
          { name: a, partitions: 3 },
          { name: b, partitions: 1 },
        ]);
        // Again, with another count: an existing topic is left as it is.
        await transport.createTopics([{ name: a, partitions: 5 }]);
        const topics = await transport.listTopics();
        expect(topics.find((t) => t.name === a)?.partitions).toBe(3);
        expect(topics.find((t) => t.name === b)?.partitions).toBe(1);
        const offsets = await transport.offsets(a);
        expect(offsets.map((o) => o.partition).sort()).toEqual([0, 1, 2]);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'delivers what was produced: key, value and order within each partition',
      async () => {
        const topic = unique('roundtrip');
        await transport.createTopics([{ name: topic, partitions: 3 }]);
        const keys = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5'];
        const sent: OutgoingMessage[] = [];
        for (let seq = 0; seq < 60; seq++) sent.push(message(topic, keys[seq % keys.length]!, seq));
        const before = Date.now();
        await produce(sent.slice(0, 30));
        await produce(sent.slice(30));
        const after = Date.now();

        const { messages } = await collect({ group: unique('g'), topics: [topic] });
        await waitFor('60 messages', () => messages.length >= 60);
        expect(messages).toHaveLength(60);

        for (const m of messages) {
          const value = JSON.parse(m.value) as TaneRecord<{ seq: number; key: string }>;
          expect(value).toEqual(sent[value.data.seq]!.value);
          expect(m.key).toBe(value.data.key);
          expect(m.topic).toBe(topic);
          expect(m.timestamp).toBeGreaterThanOrEqual(before - 60_000);
          expect(m.timestamp).toBeLessThanOrEqual(after + 60_000);
        }
        for (let p = 0; p < 3; p++) {
          const inPartition = byPartition(messages, p);
          // Offsets dense from 0 and in order, and sequence numbers in the order sent.
          expect(offsetsOf(inPartition)).toEqual(inPartition.map((_, i) => i));
          const seqs = inPartition.map(seqOf);
          expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
        }
      },
      TEST_TIMEOUT_MS,
    );

    it(
      "puts a key in the partition Kafka's default partitioner picks, and honours an explicit partition",
      async () => {
        const topic = unique('keys');
        await transport.createTopics([{ name: topic, partitions: 6 }]);
        const keys = Object.keys(KAFKA_PARTITIONS_OF_6);
        await produce(keys.flatMap((key) => [message(topic, key, 0), message(topic, key, 1)]));
        await produce([message(topic, 'email-reply', 2, 5)]);

        const messages = await readAll(transport.read(topic));
        expect(messages).toHaveLength(keys.length * 2 + 1);
        for (const m of messages) {
          const expected = seqOf(m) === 2 ? 5 : KAFKA_PARTITIONS_OF_6[m.key!];
          expect(m.partition, `key ${m.key}`).toBe(expected);
        }
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'resumes a group after its last commit: nothing before it again, nothing after it skipped',
      async () => {
        const topic = unique('resume');
        const group = unique('g');
        await transport.createTopics([{ name: topic, partitions: 2 }]);
        await produce(
          [0, 1, 2, 3].flatMap((seq) => [message(topic, 'a', seq, 0), message(topic, 'b', seq, 1)]),
        );

        const first = await collect({ group, topics: [topic] }, { commitEach: true });
        await waitFor('8 messages committed', () => first.handled.length >= 8);
        await stop(first.consumer);
        expect(
          (await transport.committedOffsets(group, topic)).sort((x, y) => x.partition - y.partition),
        ).toEqual([
          { partition: 0, offset: 4 },
          { partition: 1, offset: 4 },
        ]);

        await produce([4, 5].flatMap((seq) => [message(topic, 'a', seq, 0), message(topic, 'b', seq, 1)]));
        const second = await collect({ group, topics: [topic] }, { commitEach: true });
        await waitFor('4 new messages', () => second.messages.length >= 4);
        await sleep(QUIET_MS);
        for (const p of [0, 1]) {
          expect(offsetsOf(byPartition(second.messages, p))).toEqual([4, 5]);
        }
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'redelivers uncommitted messages to the next member of the group',
      async () => {
        const topic = unique('redeliver');
        const group = unique('g');
        await transport.createTopics([{ name: topic, partitions: 2 }]);
        await produce(
          [0, 1, 2, 3, 4, 5].flatMap((seq) => [message(topic, 'a', seq, 0), message(topic, 'b', seq, 1)]),
        );
        expect(await transport.committedOffsets(group, topic)).toEqual([]);

        const first = await collect({ group, topics: [topic] });
        await waitFor('12 messages', () => first.messages.length >= 12);
        // Processed everything, but committed only part of it.
        await first.consumer.commit([
          { topic, partition: 0, offset: 2 },
          { topic, partition: 1, offset: 5 },
        ]);
        await stop(first.consumer);

        const second = await collect({ group, topics: [topic] });
        await waitFor('the uncommitted messages', () => second.messages.length >= 5);
        await sleep(QUIET_MS);
        expect(offsetsOf(byPartition(second.messages, 0))).toEqual([2, 3, 4, 5]);
        expect(offsetsOf(byPartition(second.messages, 1))).toEqual([5]);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      "starts a partition without a committed offset at the end with start: 'latest'",
      async () => {
        const topic = unique('latest');
        await transport.createTopics([{ name: topic, partitions: 1 }]);
        await produce([0, 1, 2].map((seq) => message(topic, 'k', seq, 0)));
        const { messages } = await collect({ group: unique('g'), topics: [topic], start: 'latest' });
        // When the member's start position is resolved differs per transport: keep producing until one arrives.
        let seq = 3;
        const deadline = Date.now() + WAIT_TIMEOUT_MS;
        while (messages.length === 0 && Date.now() < deadline) {
          await produce([message(topic, 'k', seq++, 0)]);
          await sleep(300);
        }
        expect(messages.length).toBeGreaterThan(0);
        expect(Math.min(...offsetsOf(messages))).toBeGreaterThanOrEqual(3);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'pause stops delivery for that partition only, and resume restarts it',
      async () => {
        const topic = unique('pause');
        await transport.createTopics([{ name: topic, partitions: 2 }]);
        await produce([message(topic, 'a', 0, 0), message(topic, 'b', 0, 1)]);
        const p0: TopicPartition[] = [{ topic, partition: 0 }];
        const { consumer, messages } = await collect(
          { group: unique('g'), topics: [topic] },
          {
            onMessage: (m, c) => {
              if (m.partition === 0 && m.offset === 0) c.pause(p0);
            },
          },
        );
        await waitFor('the first message of each partition', () => messages.length >= 2);

        await produce([1, 2].flatMap((seq) => [message(topic, 'a', seq, 0), message(topic, 'b', seq, 1)]));
        await waitFor('partition 1 to go on', () => byPartition(messages, 1).length >= 3);
        await sleep(QUIET_MS);
        expect(offsetsOf(byPartition(messages, 0))).toEqual([0]);
        expect(offsetsOf(byPartition(messages, 1))).toEqual([0, 1, 2]);

        consumer.resume(p0);
        await waitFor('partition 0 to go on after resume', () => byPartition(messages, 0).length >= 3);
        expect(offsetsOf(byPartition(messages, 0))).toEqual([0, 1, 2]);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      "holds a partition's next message until onMessage resolves, without holding the others",
      async () => {
        const topic = unique('backpressure');
        await transport.createTopics([{ name: topic, partitions: 2 }]);
        await produce([0, 1, 2].flatMap((seq) => [message(topic, 'a', seq, 0), message(topic, 'b', seq, 1)]));
        let release: () => void = () => {};
        const held = new Promise<void>((resolve) => {
          release = resolve;
        });
        const { messages } = await collect(
          { group: unique('g'), topics: [topic] },
          { onMessage: (m) => (m.partition === 0 && m.offset === 0 ? held : undefined) },
        );
        await waitFor('partition 1 to be delivered', () => byPartition(messages, 1).length >= 3);
        await sleep(QUIET_MS);
        expect(offsetsOf(byPartition(messages, 0))).toEqual([0]);

        release();
        await waitFor('partition 0 after its message resolved', () => byPartition(messages, 0).length >= 3);
        expect(offsetsOf(byPartition(messages, 0))).toEqual([0, 1, 2]);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'read without follow ends at the current end; from picks start offsets',
      async () => {
        const topic = unique('read');
        await transport.createTopics([{ name: topic, partitions: 2 }]);
        await produce([0, 1, 2].flatMap((seq) => [message(topic, 'a', seq, 0), message(topic, 'b', seq, 1)]));

        const all = await readAll(transport.read(topic));
        expect(all).toHaveLength(6);
        for (const p of [0, 1]) expect(offsetsOf(byPartition(all, p))).toEqual([0, 1, 2]);
        expect(byPartition(all, 0).map(seqOf)).toEqual([0, 1, 2]);

        const from = await readAll(transport.read(topic, { from: [{ partition: 0, offset: 2 }] }));
        expect(offsetsOf(byPartition(from, 0))).toEqual([2]);
        expect(offsetsOf(byPartition(from, 1))).toEqual([0, 1, 2]);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'read with follow sees new messages until the signal aborts',
      async () => {
        const topic = unique('follow');
        await transport.createTopics([{ name: topic, partitions: 2 }]);
        await produce([message(topic, 'a', 0, 0), message(topic, 'b', 0, 1)]);
        const abort = new AbortController();
        aborts.push(abort);
        const seen: ConsumedMessage[] = [];
        const done = (async () => {
          for await (const m of transport.read(topic, { follow: true, signal: abort.signal })) seen.push(m);
        })();
        await waitFor('the existing messages', () => seen.length >= 2);
        await produce([message(topic, 'a', 1, 0), message(topic, 'b', 1, 1), message(topic, 'b', 2, 1)]);
        await waitFor('the new messages', () => seen.length >= 5);
        abort.abort();
        await done;
        expect(offsetsOf(byPartition(seen, 0))).toEqual([0, 1]);
        expect(offsetsOf(byPartition(seen, 1))).toEqual([0, 1, 2]);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'offsets() gives the low and high offset of each partition',
      async () => {
        const topic = unique('offsets');
        await transport.createTopics([{ name: topic, partitions: 2 }]);
        const sorted = async () => (await transport.offsets(topic)).sort((a, b) => a.partition - b.partition);
        expect(await sorted()).toEqual([
          { partition: 0, low: 0, high: 0 },
          { partition: 1, low: 0, high: 0 },
        ]);
        await produce([0, 1, 2].map((seq) => message(topic, 'a', seq, 0)));
        expect(await sorted()).toEqual([
          { partition: 0, low: 0, high: 3 },
          { partition: 1, low: 0, high: 0 },
        ]);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'resetOffsets moves a group to earliest, latest, a timestamp or given offsets, and only while it has no member',
      async () => {
        const topic = unique('reset');
        const group = unique('g');
        await transport.createTopics([{ name: topic, partitions: 2 }]);
        await produce(
          [0, 1, 2]
            .map((seq) => message(topic, 'a', seq, 0))
            .concat([0, 1].map((s) => message(topic, 'b', s, 1))),
        );
        await sleep(50);
        const middle = Date.now();
        await sleep(50);
        await produce([message(topic, 'a', 3, 0), message(topic, 'a', 4, 0), message(topic, 'b', 2, 1)]);

        const committed = async () =>
          (await transport.committedOffsets(group, topic)).sort((a, b) => a.partition - b.partition);
        await transport.resetOffsets(group, topic, { to: 'latest' });
        expect(await committed()).toEqual([
          { partition: 0, offset: 5 },
          { partition: 1, offset: 3 },
        ]);
        await transport.resetOffsets(group, topic, { to: 'earliest' });
        expect(await committed()).toEqual([
          { partition: 0, offset: 0 },
          { partition: 1, offset: 0 },
        ]);
        await transport.resetOffsets(group, topic, { to: 'timestamp', timestamp: middle });
        expect(await committed()).toEqual([
          { partition: 0, offset: 3 },
          { partition: 1, offset: 2 },
        ]);
        await transport.resetOffsets(group, topic, { to: 'offsets', offsets: [{ partition: 0, offset: 1 }] });
        expect(await committed()).toEqual([
          { partition: 0, offset: 1 },
          { partition: 1, offset: 2 },
        ]);

        const { consumer, messages } = await collect({ group, topics: [topic] });
        await waitFor('messages from the reset offsets', () => messages.length >= 5);
        expect(offsetsOf(byPartition(messages, 0))).toEqual([1, 2, 3, 4]);
        expect(offsetsOf(byPartition(messages, 1))).toEqual([2]);
        await expectCode(transport.resetOffsets(group, topic, { to: 'earliest' }), 'GROUP_LOCKED', group);
        await stop(consumer);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'commitWithOutputs writes the outputs and commits the source offset in one step, and readers of the outputs reach their end',
      async () => {
        const source = unique('cwo-src');
        const out = unique('cwo-out');
        await transport.createTopics([
          { name: source, partitions: 2 },
          { name: out, partitions: 3 },
        ]);
        await produce(Array.from({ length: 8 }, (_, seq) => message(source, `k${seq % 4}`, seq, seq % 2)));
        const group = unique('g');
        const failures: unknown[] = [];
        const { consumer, handled } = await collect(
          { group, topics: [source] },
          {
            async onMessage(m, c) {
              if (!c.commitWithOutputs) return;
              const outputs = m.control
                ? []
                : [0, 1].map((n) => message(out, m.key ?? 'k', seqOf(m) * 10 + n));
              await c
                .commitWithOutputs(outputs, [
                  { topic: m.topic, partition: m.partition, offset: m.offset + 1 },
                ])
                .catch((err: unknown) => failures.push(err));
            },
          },
        );
        if (!consumer.commitWithOutputs) {
          // At-least-once transports leave it out; the engine then writes before it commits.
          expect(consumer.commitWithOutputs).toBeUndefined();
          return;
        }
        await waitFor('every source record handled', () => handled.filter((m) => !m.control).length >= 8);
        expect(failures).toEqual([]);
        const ends = await transport.offsets(source);
        let committed: CommittedOffset[] = [];
        const deadline = Date.now() + WAIT_TIMEOUT_MS;
        while (Date.now() < deadline) {
          committed = await transport.committedOffsets(group, source);
          if (ends.every((e) => committed.find((c) => c.partition === e.partition)?.offset === e.high)) break;
          await sleep(50);
        }
        expect(committed.map((c) => c.offset).sort()).toEqual(ends.map((e) => e.high).sort());

        // Both outputs of a source record, in the order given, in their key's partition.
        let outputs: ConsumedMessage[] = [];
        while (Date.now() < deadline && outputs.length < 16) {
          outputs = await readAll(transport.read(out));
          if (outputs.length < 16) await sleep(50);
        }
        expect(outputs.map(seqOf).sort((a, b) => a - b)).toEqual(
          Array.from({ length: 8 }, (_, seq) => [seq * 10, seq * 10 + 1]).flat(),
        );
        for (let p = 0; p < 3; p++) {
          const seqs = byPartition(outputs, p).map(seqOf);
          for (const seq of seqs.filter((x) => x % 10 === 0)) {
            expect(seqs.indexOf(seq + 1), `output ${seq + 1} right after ${seq}`).toBe(seqs.indexOf(seq) + 1);
          }
        }

        // A reader of the outputs that commits every delivery (position markers too) reaches the end.
        const readerGroup = unique('g-reader');
        const reader = await collect({ group: readerGroup, topics: [out] }, { commitEach: true });
        await waitFor('the outputs read', () => reader.messages.filter((m) => !m.control).length >= 16);
        for (const m of reader.messages.filter((x) => x.control)) {
          expect(m).toMatchObject({ topic: out, control: true, key: null, value: '' });
        }
        const outEnds = await transport.offsets(out);
        let readerCommitted: CommittedOffset[] = [];
        while (Date.now() < deadline) {
          readerCommitted = await transport.committedOffsets(readerGroup, out);
          if (
            outEnds.every(
              (e) => (readerCommitted.find((c) => c.partition === e.partition)?.offset ?? 0) === e.high,
            )
          )
            break;
          await sleep(50);
        }
        for (const e of outEnds) {
          expect(
            readerCommitted.find((c) => c.partition === e.partition)?.offset ?? 0,
            `partition ${e.partition}`,
          ).toBe(e.high);
        }
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'commitWithOutputs refuses a call without a partition or naming one twice (USAGE), and one for a partition it does not own (GROUP_LOCKED), writing nothing',
      async () => {
        const source = unique('cwo-refuse-src');
        const other = unique('cwo-refuse-other');
        const out = unique('cwo-refuse-out');
        await transport.createTopics([
          { name: source, partitions: 1 },
          { name: other, partitions: 1 },
          { name: out, partitions: 1 },
        ]);
        await produce([message(source, 'k', 0), message(other, 'k', 0)]);
        const { consumer, messages } = await collect({ group: unique('g'), topics: [source] });
        if (!consumer.commitWithOutputs) {
          expect(consumer.commitWithOutputs).toBeUndefined();
          return;
        }
        await waitFor('the source record', () => messages.length >= 1);
        const output = [message(out, 'k', 1)];
        await expectCode(consumer.commitWithOutputs(output, []), 'USAGE');
        await expectCode(
          consumer.commitWithOutputs(output, [
            { topic: source, partition: 0, offset: 1 },
            { topic: source, partition: 0, offset: 1 },
          ]),
          'USAGE',
        );
        await expectCode(
          consumer.commitWithOutputs(output, [{ topic: other, partition: 0, offset: 1 }]),
          'GROUP_LOCKED',
        );
        expect(await readAll(transport.read(out))).toEqual([]);
        // The same call for the partition it owns goes through.
        await consumer.commitWithOutputs(output, [{ topic: source, partition: 0, offset: 1 }]);
        const deadline = Date.now() + WAIT_TIMEOUT_MS;
        let written: ConsumedMessage[] = [];
        while (Date.now() < deadline && written.length === 0) {
          written = await readAll(transport.read(out));
          if (written.length === 0) await sleep(50);
        }
        expect(written.map(seqOf)).toEqual([1]);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'names a missing topic in a TOPIC_NOT_FOUND error',
      async () => {
        const missing = unique('missing');
        await expectCode(produce([message(missing, 'k', 0)]), 'TOPIC_NOT_FOUND', missing);
        await expectCode(transport.offsets(missing), 'TOPIC_NOT_FOUND', missing);
        await expectCode(readAll(transport.read(missing)), 'TOPIC_NOT_FOUND', missing);
        await expectCode(
          (async () => {
            const consumer = await transport.consumer({ group: unique('g'), topics: [missing] });
            running.push(consumer);
            await consumer.start({ onMessage: async () => {} });
          })(),
          'TOPIC_NOT_FOUND',
          missing,
        );
      },
      TEST_TIMEOUT_MS,
    );
  });
}
