import { setTimeout as sleep } from 'node:timers/promises';
import type { ConsumedMessage, GroupConsumer, TaneError, TopicPartition, Transport } from '@tane/core';
import { makeRecord } from '@tane/testkit';
import { beforeEach, describe, expect, it } from 'vitest';
import { unique, useTestTransport } from './broker.ts';

const PARTITIONS = 4;
/** Messages per partition in each round. */
const PER_ROUND = 20;

interface Member {
  name: string;
  consumer: GroupConsumer;
  processed: ConsumedMessage[];
  assigned: TopicPartition[][];
  revoked: TopicPartition[][];
  errors: Error[];
}

async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('two members of one group on a 4-partition topic', () => {
  const current = useTestTransport({ sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1_000 });
  let transport: Transport;
  beforeEach(() => {
    transport = current();
  });

  async function join(name: string, group: string, topic: string): Promise<Member> {
    const consumer = await transport.consumer({ group, topics: [topic], clientId: name });
    const member: Member = { name, consumer, processed: [], assigned: [], revoked: [], errors: [] };
    await consumer.start({
      onAssigned: (tps) => {
        member.assigned.push(tps);
      },
      onRevoked: (tps) => {
        member.revoked.push(tps);
      },
      onError: (err) => member.errors.push(err),
      async onMessage(m) {
        await sleep(5);
        member.processed.push(m);
        await consumer
          .commit([{ topic: m.topic, partition: m.partition, offset: m.offset + 1 }])
          .catch(() => {
            // Refused after a revocation: the new owner processes it again.
          });
      },
    });
    return member;
  }

  it('split the partitions, hand them over on stop without losing anything, and fence the old owner', async () => {
    const topic = unique('rebalance');
    const group = unique('g');
    await transport.createTopics([{ name: topic, partitions: PARTITIONS }]);
    const producer = await transport.producer();
    let produced = 0;
    /** Another PER_ROUND messages on every partition. */
    const produceRound = async () => {
      const batch = [];
      for (let p = 0; p < PARTITIONS; p++) {
        for (let i = 0; i < PER_ROUND; i++) {
          batch.push({
            topic,
            key: `k${p}`,
            partition: p,
            value: makeRecord({ id: `${p}-${produced + i}`, data: { p } }),
          });
        }
      }
      await producer.send(batch);
      produced += PER_ROUND;
    };
    const committedEverywhere = (offset: number) => async () => {
      const committed = await transport.committedOffsets(group, topic);
      return committed.length === PARTITIONS && committed.every((c) => c.offset === offset);
    };

    // Round 1: a alone owns everything.
    await produceRound();
    const a = await join('member-a', group, topic);
    expect(a.consumer.assignment()).toHaveLength(PARTITIONS);
    await waitFor('round 1 committed', committedEverywhere(PER_ROUND));

    // Round 2: b joins; a gives up two partitions and is told which.
    const b = await join('member-b', group, topic);
    await waitFor('member a to give up partitions', () => a.revoked.length > 0);
    await waitFor(
      'the split',
      () => a.consumer.assignment().length + b.consumer.assignment().length === PARTITIONS,
    );
    const ownedByA = a.consumer.assignment().map((tp) => tp.partition);
    const ownedByB = b.consumer.assignment().map((tp) => tp.partition);
    expect(ownedByA).toHaveLength(2);
    expect(ownedByB).toHaveLength(2);
    expect([...ownedByA, ...ownedByB].sort()).toEqual([0, 1, 2, 3]);
    expect(
      a.revoked
        .flat()
        .map((tp) => tp.partition)
        .sort(),
    ).toEqual([...ownedByB].sort());

    // The old owner may not commit a partition it lost: that would move the new owner's position.
    const lost = ownedByB[0]!;
    const error = await a.consumer.commit([{ topic, partition: lost, offset: 3 * PER_ROUND }]).then(
      () => undefined,
      (err: unknown) => err as TaneError,
    );
    expect(error?.code).toBe('GROUP_LOCKED');
    expect(error?.message).toContain(`${topic}/${lost}`);
    expect(error?.message).toContain('no longer owned');
    expect((await transport.committedOffsets(group, topic)).find((c) => c.partition === lost)?.offset).toBe(
      PER_ROUND,
    );

    await produceRound();
    await waitFor('round 2 committed', committedEverywhere(2 * PER_ROUND));
    // Each member worked on its own partitions only.
    const round2 = (m: Member) => m.processed.filter((x) => x.offset >= PER_ROUND).map((x) => x.partition);
    expect(new Set(round2(a))).toEqual(new Set(ownedByA));
    expect(new Set(round2(b))).toEqual(new Set(ownedByB));

    // Round 3: a leaves; b takes a's partitions over from their committed offsets.
    await a.consumer.stop();
    await waitFor('b to own every partition', () => b.consumer.assignment().length === PARTITIONS);
    await produceRound();
    await waitFor('round 3 committed', committedEverywhere(3 * PER_ROUND), 90_000);
    await producer.close();

    expect(a.errors).toEqual([]);
    expect(b.errors).toEqual([]);
    for (const p of ownedByA) {
      const byB = b.processed.filter((m) => m.partition === p).map((m) => m.offset);
      // Exactly where a's last commit left it: nothing skipped, nothing repeated.
      expect(byB[0]).toBe(2 * PER_ROUND);
    }
    // Nothing lost and, as every handover happened at a commit, nothing processed twice,
    // not even by a on the partitions it kept through the rebalance.
    const all = [...a.processed, ...b.processed].map((m) => `${m.partition}@${m.offset}`);
    expect(new Set(all).size).toBe(PARTITIONS * 3 * PER_ROUND);
    expect(all).toHaveLength(PARTITIONS * 3 * PER_ROUND);
    await b.consumer.stop();
  }, 180_000);

  it('does not deliver a kept partition again after a rebalance, even when nothing was committed', async () => {
    const topic = unique('kept');
    const group = unique('g');
    await transport.createTopics([{ name: topic, partitions: 2 }]);
    const producer = await transport.producer();
    const send = (from: number, count: number) =>
      producer.send(
        [0, 1].flatMap((p) =>
          Array.from({ length: count }, (_, i) => ({
            topic,
            key: `k${p}`,
            partition: p,
            value: makeRecord({ id: `${p}-${from + i}`, data: { p } }),
          })),
        ),
      );
    await send(0, 10);

    // Members that never commit: everything they got is delivered but uncommitted.
    const delivered = new Map<string, ConsumedMessage[]>([
      ['a', []],
      ['b', []],
    ]);
    const revokedFromA: TopicPartition[] = [];
    const start = async (name: string, onRevoked?: (tps: TopicPartition[]) => void) => {
      const consumer = await transport.consumer({ group, topics: [topic], clientId: name });
      await consumer.start({
        onMessage: async (m) => {
          delivered.get(name)!.push(m);
        },
        ...(onRevoked ? { onRevoked } : {}),
      });
      return consumer;
    };
    const a = await start('a', (tps) => revokedFromA.push(...tps));
    await waitFor('a to get all 20', () => delivered.get('a')!.length >= 20);

    const b = await start('b');
    await waitFor('the split', () => a.assignment().length === 1 && b.assignment().length === 1);
    const keptByA = a.assignment()[0]!.partition;
    const toB = b.assignment()[0]!.partition;
    expect(revokedFromA.map((tp) => tp.partition)).toEqual([toB]);
    // b starts the partition it got from the (empty) committed offsets: all of it again.
    await waitFor('b to read its partition', () => delivered.get('b')!.length >= 10);

    await send(10, 5);
    await waitFor(
      'the new messages',
      () => delivered.get('a')!.length >= 25 && delivered.get('b')!.length >= 15,
    );
    await sleep(1_500);
    const offsets = (name: string, p: number) =>
      delivered
        .get(name)!
        .filter((m) => m.partition === p)
        .map((m) => m.offset);
    // a carried on with its kept partition where it was: no second delivery of 0..9.
    expect(offsets('a', keptByA)).toEqual(Array.from({ length: 15 }, (_, i) => i));
    expect(offsets('b', toB)).toEqual(Array.from({ length: 15 }, (_, i) => i));
    expect(offsets('b', keptByA)).toEqual([]);
    await Promise.all([a.stop(), b.stop(), producer.close()]);
  }, 120_000);
});
