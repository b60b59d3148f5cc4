import { setTimeout as sleep } from 'node:timers/promises';
import type { ConsumedMessage, TopicPartition, Transport } from '@tane/core';
import { makeRecord } from '@tane/testkit';
import { beforeEach, describe, expect, it } from 'vitest';
import { unique, useTestTransport } from './broker.ts';

const SESSION_TIMEOUT_MS = 6_000;
/** Three session timeouts: kafkajs's own loop would have been thrown out of the group twice over. */
const HANDLER_MS = 18_000;

describe('a stage slower than the session timeout', () => {
  const current = useTestTransport({ sessionTimeoutMs: SESSION_TIMEOUT_MS, heartbeatIntervalMs: 2_000 });
  let transport: Transport;
  beforeEach(() => {
    transport = current();
  });

  it('keeps the membership: no rebalance, no redelivery, and the commit afterwards is accepted', async () => {
    const topic = unique('slow');
    const group = unique('g');
    await transport.createTopics([{ name: topic, partitions: 2 }]);
    const producer = await transport.producer();
    await producer.send(
      [0, 1, 2].flatMap((i) => [
        { topic, key: 'a', partition: 0, value: makeRecord({ id: `a-${i}`, data: { i } }) },
        { topic, key: 'b', partition: 1, value: makeRecord({ id: `b-${i}`, data: { i } }) },
      ]),
    );
    await producer.close();

    const delivered: ConsumedMessage[] = [];
    const assigned: TopicPartition[][] = [];
    const revoked: TopicPartition[][] = [];
    const errors: Error[] = [];
    const consumer = await transport.consumer({ group, topics: [topic] });
    await consumer.start({
      onAssigned: (tps) => {
        assigned.push(tps);
      },
      onRevoked: (tps) => {
        revoked.push(tps);
      },
      onError: (err) => errors.push(err),
      async onMessage(m) {
        delivered.push(m);
        if (m.partition === 0 && m.offset === 0) await sleep(HANDLER_MS);
        await consumer.commit([{ topic: m.topic, partition: m.partition, offset: m.offset + 1 }]);
      },
    });

    const deadline = Date.now() + HANDLER_MS + 30_000;
    while (delivered.length < 6 && Date.now() < deadline) await sleep(100);
    // A little longer, so a late redelivery would show up.
    await sleep(2_000);

    expect(errors).toEqual([]);
    expect(revoked).toEqual([]);
    expect(assigned).toHaveLength(1);
    expect(consumer.assignment()).toEqual([
      { topic, partition: 0 },
      { topic, partition: 1 },
    ]);
    const seen = delivered.map((m) => `${m.partition}@${m.offset}`).sort();
    expect(seen).toEqual(['0@0', '0@1', '0@2', '1@0', '1@1', '1@2']);
    // Every commit, including the one right after the slow handler, went through.
    expect(await transport.committedOffsets(group, topic)).toEqual([
      { partition: 0, offset: 3 },
      { partition: 1, offset: 3 },
    ]);
    await consumer.stop();
  }, 90_000);
});
