import type { Transport } from '@tane/core';
import { makeRecord } from '@tane/testkit';
import { beforeEach, describe, expect, it } from 'vitest';
import { unique, useTestTransport } from './broker.ts';

describe('the Kafka producer', () => {
  const current = useTestTransport();
  let transport: Transport;
  beforeEach(() => {
    transport = current();
  });

  it('sends a batch bigger than the broker takes for one partition, in order', async () => {
    const topic = unique('big-send');
    await transport.createTopics([{ name: topic, partitions: 2 }]);
    const producer = await transport.producer();
    // 1,000 records of ~3 KB with one key: 3 MB for one partition, three times
    // the broker's default message.max.bytes for a single record batch.
    const text = 'x'.repeat(3000);
    await producer.send(
      Array.from({ length: 1000 }, (_, i) => ({
        topic,
        key: 'hot',
        value: makeRecord({ id: `r-${i}`, data: { i, text } }),
      })),
    );
    await producer.close();

    const ends = await transport.offsets(topic);
    expect(ends.reduce((n, e) => n + e.high, 0)).toBe(1000);
    const order: number[] = [];
    for await (const m of transport.read(topic))
      order.push((JSON.parse(m.value) as { data: { i: number } }).data.i);
    expect(order).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  }, 60_000);

  it('refuses a single record larger than the broker accepts, saying which limit', async () => {
    const topic = unique('too-big');
    await transport.createTopics([{ name: topic, partitions: 1 }]);
    const producer = await transport.producer();
    const err = await producer
      .send([
        { topic, key: 'k', value: makeRecord({ id: 'huge', data: { text: 'x'.repeat(2 * 1024 * 1024) } }) },
      ])
      .then(
        () => undefined,
        (e: unknown) => e as { code?: string; hint?: string },
      );
    await producer.close();
    expect(err?.code).toBe('TRANSPORT_ERROR');
    expect(err?.hint).toContain('message.max.bytes');
    expect((await transport.offsets(topic))[0]?.high).toBe(0);
  }, 60_000);
});
