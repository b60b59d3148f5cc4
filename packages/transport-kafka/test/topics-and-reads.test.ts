import type { ConsumedMessage, Transport } from '@tane/core';
import { makeRecord } from '@tane/testkit';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { BROKER, unique, useTestTransport } from './broker.ts';

async function readAll(iterable: AsyncIterable<ConsumedMessage>): Promise<ConsumedMessage[]> {
  const out: ConsumedMessage[] = [];
  for await (const m of iterable) out.push(m);
  return out;
}

describe('Kafka topics, offsets and reads', () => {
  const current = useTestTransport();
  let transport: Transport;
  // A plain kafkajs admin, to look at the broker from outside the transport.
  const admin: Admin = new Kafka({ brokers: [BROKER], logLevel: logLevel.NOTHING }).admin();

  beforeEach(async () => {
    transport = current();
    await admin.connect();
  });

  afterAll(async () => {
    await admin.disconnect();
  });

  it('creates compacted topics with cleanup.policy=compact and lists them as compacted', async () => {
    const seeds = unique('seeds');
    const tasks = unique('tasks');
    await transport.createTopics([
      { name: seeds, partitions: 2, compacted: true },
      { name: tasks, partitions: 3 },
    ]);
    const topics = await transport.listTopics();
    expect(topics.find((t) => t.name === seeds)).toEqual({ name: seeds, partitions: 2, compacted: true });
    expect(topics.find((t) => t.name === tasks)).toEqual({ name: tasks, partitions: 3 });
    // Kafka's own topics are not tane's business.
    expect(topics.some((t) => t.name.startsWith('__'))).toBe(false);

    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: 2, name: seeds, configNames: ['cleanup.policy'] }],
    });
    expect(configs.resources[0]?.configEntries[0]?.configValue).toBe('compact');
  });

  it('read() leaves no consumer group behind, and copes with start offsets past either end', async () => {
    const topic = unique('reads');
    await transport.createTopics([{ name: topic, partitions: 2 }]);
    const producer = await transport.producer();
    await producer.send(
      [0, 1, 2, 3].map((i) => ({
        topic,
        key: 'k',
        partition: i % 2,
        value: makeRecord({ id: `r-${i}`, data: { i } }),
      })),
    );
    await producer.close();

    const all = await readAll(
      transport.read(topic, {
        from: [
          { partition: 0, offset: 99 },
          { partition: 1, offset: -5 },
        ],
      }),
    );
    // Past the end: nothing from partition 0; before the start: all of partition 1.
    expect(all.map((m) => `${m.partition}@${m.offset}`)).toEqual(['1@0', '1@1']);

    // Stopping early (a `break`) cleans up as well.
    for await (const _ of transport.read(topic)) break;

    const { groups } = await admin.listGroups();
    expect(groups.filter((g) => g.groupId.startsWith(`tane-read-${topic}-`))).toEqual([]);
  });

  it('refuses resetOffsets to offsets outside the partition and commits of bad offsets', async () => {
    const topic = unique('bad-offsets');
    const group = unique('g');
    await transport.createTopics([{ name: topic, partitions: 1 }]);
    await expect(
      transport.resetOffsets(group, topic, { to: 'offsets', offsets: [{ partition: 0, offset: 10 }] }),
    ).rejects.toMatchObject({ code: 'USAGE' });
    await expect(
      transport.resetOffsets(group, topic, { to: 'offsets', offsets: [{ partition: 3, offset: 0 }] }),
    ).rejects.toMatchObject({ code: 'USAGE' });
    expect(await transport.committedOffsets(group, topic)).toEqual([]);

    const consumer = await transport.consumer({ group, topics: [topic] });
    await expect(consumer.commit([{ topic, partition: 0, offset: 0 }])).rejects.toMatchObject({
      code: 'TRANSPORT_ERROR',
    });
    await consumer.start({ onMessage: async () => {} });
    await expect(consumer.commit([{ topic, partition: 0, offset: -1 }])).rejects.toMatchObject({
      code: 'USAGE',
    });
    await consumer.commit([{ topic, partition: 0, offset: 0 }]);
    await consumer.stop();
    expect(await transport.committedOffsets(group, topic)).toEqual([{ partition: 0, offset: 0 }]);
  });
});
