import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConsumedMessage, TaneRecord } from '@tane/core';
import { createLocalTransport } from '@tane/transport-local';
import { afterAll, describe, expect, it } from 'vitest';
import { startFixture, waitUntil } from './fixtures/spawn-fixture.ts';

describe('several processes writing one store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tane-local-multi-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every message of two concurrent producer processes, with dense offsets, and wakes a reader in a third', async () => {
    const db = join(dir, 'tane.db');
    const topic = 'shared';
    const perProducer = 10_000;
    const transport = await createLocalTransport({ path: db });
    try {
      await transport.createTopics([{ name: topic, partitions: 4 }]);
      // A follower in this process sees the other processes' writes through polling.
      const abort = new AbortController();
      const followed: ConsumedMessage[] = [];
      const following = (async () => {
        for await (const m of transport.read(topic, { follow: true, signal: abort.signal })) followed.push(m);
      })();

      const producers = ['a', 'b'].map((tag) =>
        startFixture('producer', { db, topic, tag, count: perProducer }),
      );
      for (const p of producers) await p.waitFor('ready', (events) => events.some((e) => e.ev === 'ready'));
      for (const p of producers) p.send({ cmd: 'go' });
      const exits = await Promise.all(producers.map((p) => p.exited));
      for (const [i, exit] of exits.entries())
        expect(exit, producers[i]!.stderr()).toEqual({ code: 0, signal: null });

      await waitUntil('the follower to see every message', () => followed.length >= 2 * perProducer);
      abort.abort();
      await following;

      const all: ConsumedMessage[] = [];
      for await (const m of transport.read(topic)) all.push(m);
      expect(all).toHaveLength(2 * perProducer);
      expect(followed).toHaveLength(2 * perProducer);

      const offsets = await transport.offsets(topic);
      for (const { partition, low, high } of offsets) {
        const inPartition = all.filter((m) => m.partition === partition).map((m) => m.offset);
        expect(low).toBe(0);
        expect(inPartition).toEqual(Array.from({ length: high }, (_, i) => i));
      }

      // Each producer's messages are all there once, and in the order it sent them per key.
      const lastSeqByKey = new Map<string, number>();
      const seen = new Set<string>();
      for (const m of all) {
        const { tag, seq } = (JSON.parse(m.value) as TaneRecord<{ tag: string; seq: number }>).data;
        seen.add(`${tag}:${seq}`);
        const previous = lastSeqByKey.get(m.key!) ?? -1;
        expect(seq, `key ${m.key}`).toBeGreaterThan(previous);
        lastSeqByKey.set(m.key!, seq);
      }
      expect(seen.size).toBe(2 * perProducer);
    } finally {
      await transport.close();
    }
  }, 120_000);
});
