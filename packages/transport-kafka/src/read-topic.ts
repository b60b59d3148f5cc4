import type {
  ConsumedMessage,
  GroupConsumer,
  PartitionOffsets,
  ReadOptions,
  TopicPartition,
} from '@tane/core';

/** What {@link readTopic} needs from the transport. */
export interface TopicReaderDeps {
  offsets(topic: string): Promise<PartitionOffsets[]>;
  /** A member of a fresh, single-use group whose partitions start where `startOffset` says. */
  createReader(
    topic: string,
    partitionCount: number,
    startOffset: (tp: TopicPartition) => number | undefined,
  ): Promise<{ consumer: GroupConsumer; cleanup(): Promise<void> }>;
}

/** Messages queued ahead of the iterator before delivery waits for it. */
const READ_AHEAD = 1000;

/**
 * Reads a topic outside any real consumer group, for state rebuilt on start:
 * from the beginning (or `from`), up to the end offsets current when called,
 * or, with `follow`, until `signal` aborts. Kafka has no group-less consumer in
 * kafkajs, so this joins a single-use group that is deleted afterwards.
 *
 * Reads are read_committed: records of aborted or still open transactions are
 * never yielded, nor are position markers. The end offsets come from
 * `deps.offsets`, which on Kafka is the last stable offset (ListOffsets with
 * read_committed), the furthest such a reader can get.
 */
export async function* readTopic(
  deps: TopicReaderDeps,
  topic: string,
  options: ReadOptions = {},
): AsyncGenerator<ConsumedMessage, void, undefined> {
  const { follow = false, signal } = options;
  if (signal?.aborted) return;
  const ends = await deps.offsets(topic);
  const requested = new Map((options.from ?? []).map((c) => [c.partition, c.offset]));
  // Where each partition continues: the start at first, then after each message
  // queued, so a reader that had to rejoin does not start over.
  const next = new Map<number, number>();
  const end = new Map<number, number>();
  for (const p of ends) {
    // Before `low` the data is gone; past `high` kafkajs would reset to the beginning.
    next.set(p.partition, Math.min(Math.max(requested.get(p.partition) ?? p.low, p.low), p.high));
    end.set(p.partition, p.high);
  }
  const unfinished = new Set(ends.filter((p) => next.get(p.partition)! < p.high).map((p) => p.partition));
  if (!follow && unfinished.size === 0) return;

  const queue: ConsumedMessage[] = [];
  let failure: Error | undefined;
  let wakeReader: (() => void) | undefined;
  let spaceWaiters: Array<() => void> = [];
  const wake = (): void => {
    const w = wakeReader;
    wakeReader = undefined;
    w?.();
  };
  const onAbort = (): void => wake();
  signal?.addEventListener('abort', onAbort);

  const { consumer, cleanup } = await deps.createReader(topic, ends.length, (tp) => next.get(tp.partition));
  const finish = (partition: number): void => {
    if (!unfinished.delete(partition)) return;
    consumer.pause([{ topic, partition }]);
    if (unfinished.size === 0) wake();
  };
  try {
    await consumer.start({
      onMessage: async (m) => {
        if (!follow && m.offset >= end.get(m.partition)!) {
          finish(m.partition);
          return;
        }
        if (m.control) {
          // A transaction marker (or aborted records) is no record, but it is
          // where the partition may end: the last offset before the end often
          // is the marker of the last transaction.
          next.set(m.partition, m.offset + 1);
          if (!follow && m.offset + 1 >= end.get(m.partition)!) finish(m.partition);
          return;
        }
        queue.push(m);
        next.set(m.partition, m.offset + 1);
        wake();
        if (!follow && m.offset + 1 >= end.get(m.partition)!) finish(m.partition);
        while (queue.length >= READ_AHEAD && !failure && !signal?.aborted) {
          await new Promise<void>((resolve) => spaceWaiters.push(resolve));
        }
      },
      onError: (err) => {
        failure = err;
        wake();
      },
    });
    for (;;) {
      if (queue.length > 0) {
        const m = queue.shift()!;
        if (queue.length < READ_AHEAD / 2 && spaceWaiters.length > 0) {
          const waiters = spaceWaiters;
          spaceWaiters = [];
          for (const w of waiters) w();
        }
        yield m;
        continue;
      }
      if (failure) throw failure;
      if (signal?.aborted || (!follow && unfinished.size === 0)) return;
      await new Promise<void>((resolve) => {
        wakeReader = resolve;
      });
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    for (const w of spaceWaiters) w();
    await consumer.stop().catch(() => {});
    await cleanup().catch(() => {});
  }
}
