import { TaneError } from '../errors.ts';
import { serializeRecord } from '../record.ts';
import type {
  CommittedOffset,
  ConsumedMessage,
  ConsumerHandlers,
  ConsumerOptions,
  GroupConsumer,
  OffsetReset,
  OutgoingMessage,
  PartitionOffsets,
  Producer,
  ReadOptions,
  TopicInfo,
  TopicPartition,
  TopicSpec,
  Transport,
} from '../transport.ts';

interface StoredMessage {
  key: string | null;
  value: string;
  timestamp: number;
}

/**
 * An in-process transport for unit tests and embedding: topics live in memory
 * and vanish with the process. One member per group gets every partition.
 * Use `@tane/transport-local` for anything that must survive a restart.
 */
export function createMemoryTransport(
  memoryOptions: {
    /**
     * Give consumers `commitWithOutputs` (outputs and offsets in one step), so
     * the engine uses its transactional commit strategy. Default false.
     */
    transactional?: boolean;
  } = {},
): Transport & {
  /** Appends a raw value (e.g. an invalid record) to a topic. */
  appendRaw(topic: string, partition: number, value: string, key?: string): void;
  /** Every record value on a topic, in partition then offset order. */
  values(topic: string): string[];
} {
  const topics = new Map<string, { partitions: StoredMessage[][]; compacted: boolean }>();
  const commits = new Map<string, Map<string, number>>();
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const l of [...listeners]) l();
  };
  const topicOf = (name: string) => {
    const t = topics.get(name);
    if (!t) {
      throw new TaneError('TOPIC_NOT_FOUND', `topic ${name} does not exist`, {
        hint: `create it: tane topics create ${name}`,
      });
    }
    return t;
  };
  const hash = (key: string) => {
    let h = 0;
    for (let i = 0; i < key.length; i++) h = (Math.imul(h, 31) + key.charCodeAt(i)) | 0;
    return Math.abs(h);
  };
  const groupCommits = (group: string) => {
    let g = commits.get(group);
    if (!g) commits.set(group, (g = new Map()));
    return g;
  };
  const wait = (signal?: AbortSignal) =>
    new Promise<void>((resolve) => {
      const done = () => {
        listeners.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      listeners.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });

  const append = (m: OutgoingMessage) => {
    const t = topicOf(m.topic);
    const partition = m.partition ?? hash(m.key) % t.partitions.length;
    t.partitions[partition]!.push({ key: m.key, value: serializeRecord(m.value), timestamp: Date.now() });
  };

  const transport = {
    kind: 'memory',
    description: 'memory',
    async createTopics(specs: TopicSpec[]) {
      for (const s of specs) {
        if (!topics.has(s.name)) {
          topics.set(s.name, {
            partitions: Array.from({ length: s.partitions }, () => []),
            compacted: s.compacted ?? false,
          });
        }
      }
    },
    async listTopics(): Promise<TopicInfo[]> {
      return [...topics.entries()].map(([name, t]) => ({
        name,
        partitions: t.partitions.length,
        compacted: t.compacted,
      }));
    },
    async offsets(topic: string): Promise<PartitionOffsets[]> {
      return topicOf(topic).partitions.map((p, partition) => ({ partition, low: 0, high: p.length }));
    },
    async producer(): Promise<Producer> {
      return {
        async send(messages: OutgoingMessage[]) {
          for (const m of messages) append(m);
          notify();
        },
        async close() {},
      };
    },
    async consumer(options: ConsumerOptions): Promise<GroupConsumer> {
      for (const t of options.topics) topicOf(t);
      const paused = new Set<string>();
      const stop = new AbortController();
      const assignment: TopicPartition[] = options.topics.flatMap((topic) =>
        topicOf(topic).partitions.map((_, partition) => ({ topic, partition })),
      );
      const g = groupCommits(options.group);
      const loops: Promise<void>[] = [];
      return {
        async start(handlers: ConsumerHandlers) {
          await handlers.onAssigned?.(assignment);
          for (const tp of assignment) {
            const key = `${tp.topic}/${tp.partition}`;
            let position =
              g.get(key) ??
              (options.start === 'latest' ? topicOf(tp.topic).partitions[tp.partition]!.length : 0);
            loops.push(
              (async () => {
                while (!stop.signal.aborted) {
                  const list = topicOf(tp.topic).partitions[tp.partition]!;
                  if (paused.has(key) || position >= list.length) {
                    await wait(stop.signal);
                    continue;
                  }
                  const m = list[position]!;
                  await handlers.onMessage({
                    ...tp,
                    offset: position,
                    key: m.key,
                    value: m.value,
                    timestamp: m.timestamp,
                  });
                  position++;
                }
              })(),
            );
          }
        },
        async commit(offsets) {
          for (const o of offsets) g.set(`${o.topic}/${o.partition}`, o.offset);
        },
        ...(memoryOptions.transactional
          ? {
              async commitWithOutputs(
                messages: OutgoingMessage[],
                offsets: (TopicPartition & { offset: number })[],
              ) {
                // One synchronous step: nothing can interleave between the writes and the commit.
                for (const m of messages) append(m);
                for (const o of offsets) g.set(`${o.topic}/${o.partition}`, o.offset);
                notify();
              },
            }
          : {}),
        pause(tps) {
          for (const tp of tps) paused.add(`${tp.topic}/${tp.partition}`);
        },
        resume(tps) {
          for (const tp of tps) paused.delete(`${tp.topic}/${tp.partition}`);
          notify();
        },
        assignment: () => assignment,
        async stop() {
          stop.abort();
        },
      };
    },
    async *read(topic: string, options: ReadOptions = {}): AsyncIterable<ConsumedMessage> {
      const t = topicOf(topic);
      const positions = t.partitions.map((_, p) => options.from?.find((f) => f.partition === p)?.offset ?? 0);
      const ends = t.partitions.map((p) => p.length);
      for (;;) {
        let yielded = false;
        for (let p = 0; p < t.partitions.length; p++) {
          const list = t.partitions[p]!;
          const end = options.follow ? list.length : ends[p]!;
          while (positions[p]! < end) {
            const m = list[positions[p]!]!;
            yield {
              topic,
              partition: p,
              offset: positions[p]!,
              key: m.key,
              value: m.value,
              timestamp: m.timestamp,
            };
            positions[p]!++;
            yielded = true;
          }
        }
        if (!options.follow || options.signal?.aborted) return;
        if (!yielded) await wait(options.signal);
      }
    },
    async committedOffsets(group: string, topic: string): Promise<CommittedOffset[]> {
      const g = groupCommits(group);
      return topicOf(topic).partitions.flatMap((_, partition) => {
        const o = g.get(`${topic}/${partition}`);
        return o === undefined ? [] : [{ partition, offset: o }];
      });
    },
    async resetOffsets(group: string, topic: string, to: OffsetReset) {
      const g = groupCommits(group);
      topicOf(topic).partitions.forEach((list, partition) => {
        const key = `${topic}/${partition}`;
        if (to.to === 'earliest') g.set(key, 0);
        else if (to.to === 'latest') g.set(key, list.length);
        else if (to.to === 'timestamp') {
          const i = list.findIndex((m) => m.timestamp >= to.timestamp);
          g.set(key, i < 0 ? list.length : i);
        } else {
          const o = to.offsets.find((x) => x.partition === partition);
          if (o) g.set(key, o.offset);
        }
      });
    },
    async close() {
      notify();
    },
    appendRaw(topic: string, partition: number, value: string, key?: string) {
      topicOf(topic).partitions[partition]!.push({ key: key ?? null, value, timestamp: Date.now() });
      notify();
    },
    values(topic: string): string[] {
      return topicOf(topic).partitions.flatMap((p) => p.map((m) => m.value));
    },
  };
  return transport;
}
