import {
  type CommittedOffset,
  type ConsumedMessage,
  type ConsumerOptions,
  type GroupConsumer,
  type Logger,
  type OffsetReset,
  type OutgoingMessage,
  type PartitionOffsets,
  type Producer,
  type ReadOptions,
  silentLogger,
  TaneError,
  type TopicInfo,
  type TopicSpec,
  type Transport,
} from '@tane/core';
import { announceTopics, ChangeFeed } from './change-feed.ts';
import { GroupStore } from './group-store.ts';
import { LocalGroupConsumer } from './local-consumer.ts';
import { LocalStore, NO_END } from './local-store.ts';

/** Options of {@link createLocalTransport}. */
export interface LocalTransportOptions {
  /** The store file (created with its folder if missing), e.g. `./.tane/tane.db`. */
  path: string;
  /** Partitions of a topic created with `partitions: 0`. Default 1, like Kafka's `num.partitions`. */
  defaultPartitions?: number;
  /** How often idle readers look for messages written by other processes. Default 50 ms. */
  pollIntervalMs?: number;
  /** How long a group member may stay silent before its partitions go to others. Default 10 000 ms. */
  leaseTimeoutMs?: number;
  /** How often a group member renews its lease and looks for rebalances. Default min(1000, leaseTimeoutMs / 3). */
  heartbeatIntervalMs?: number;
  /**
   * SQLite `synchronous`: `normal` (default) survives a killed process; `full` also
   * survives a power cut or kernel crash, at the cost of an fsync per write.
   */
  synchronous?: 'normal' | 'full';
  /** How long a write waits for another process holding the file. Default 10 000 ms. */
  busyTimeoutMs?: number;
  logger?: Logger;
}

/** Messages read per partition per query by `read()`. */
const READ_BATCH = 500;

function positiveNumber(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TaneError('CONFIG_INVALID', `${name} must be a positive number, got ${JSON.stringify(value)}`, {
      where: `transport option ${name}`,
      hint: `leave ${name} out to use the default (${fallback})`,
    });
  }
  return value;
}

class LocalProducer implements Producer {
  private closed = false;

  constructor(private readonly transport: LocalTransport) {}

  async send(messages: OutgoingMessage[]): Promise<void> {
    if (this.closed) {
      throw new TaneError('TRANSPORT_ERROR', 'send on a closed producer', {
        where: this.transport.description,
        hint: 'create a new producer with transport.producer()',
      });
    }
    this.transport.append(messages);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** The embedded transport: every topic, offset and group of a pipeline in one SQLite file. */
export class LocalTransport implements Transport {
  readonly kind = 'local';
  readonly description: string;
  private readonly store: LocalStore;
  private readonly groups: GroupStore;
  private readonly feed: ChangeFeed;
  private readonly logger: Logger;
  private readonly defaultPartitions: number;
  private readonly leaseTimeoutMs: number;
  private readonly heartbeatIntervalMs: number;
  private readonly consumers = new Set<LocalGroupConsumer>();
  private readonly closing = new AbortController();
  private closed = false;

  constructor(options: LocalTransportOptions) {
    if (typeof options?.path !== 'string' || options.path.trim() === '') {
      throw new TaneError('CONFIG_INVALID', 'the local transport needs a file path', {
        where: 'transport option path',
        hint: 'use `local:./.tane/tane.db` or give { path }',
      });
    }
    this.logger = (options.logger ?? silentLogger).child({ transport: 'local' });
    this.defaultPartitions = positiveNumber('defaultPartitions', options.defaultPartitions, 1);
    if (!Number.isInteger(this.defaultPartitions)) {
      throw new TaneError('CONFIG_INVALID', 'defaultPartitions must be a whole number', {
        where: 'transport option defaultPartitions',
      });
    }
    const pollIntervalMs = positiveNumber('pollIntervalMs', options.pollIntervalMs, 50);
    this.leaseTimeoutMs = positiveNumber('leaseTimeoutMs', options.leaseTimeoutMs, 10_000);
    this.heartbeatIntervalMs = positiveNumber(
      'heartbeatIntervalMs',
      options.heartbeatIntervalMs,
      Math.min(1000, this.leaseTimeoutMs / 3),
    );
    if (
      options.synchronous !== undefined &&
      options.synchronous !== 'normal' &&
      options.synchronous !== 'full'
    ) {
      throw new TaneError('CONFIG_INVALID', `synchronous must be 'normal' or 'full'`, {
        where: 'transport option synchronous',
      });
    }
    this.store = new LocalStore(options.path, {
      synchronous: options.synchronous ?? 'normal',
      busyTimeoutMs: positiveNumber('busyTimeoutMs', options.busyTimeoutMs, 10_000),
      logger: this.logger,
    });
    this.description = this.store.path;
    this.groups = new GroupStore(this.store);
    this.feed = new ChangeFeed(this.store.file, pollIntervalMs, () => this.store.dataVersion());
  }

  async createTopics(topics: TopicSpec[]): Promise<void> {
    this.assertOpen();
    this.store.createTopics(topics, this.defaultPartitions);
  }

  async listTopics(): Promise<TopicInfo[]> {
    this.assertOpen();
    return this.store.listTopics().map((t) => ({
      name: t.name,
      partitions: t.partitions,
      ...(t.compacted ? { compacted: true } : {}),
    }));
  }

  async offsets(topic: string): Promise<PartitionOffsets[]> {
    this.assertOpen();
    return this.store.offsets(this.store.requireTopic(topic));
  }

  async producer(): Promise<Producer> {
    this.assertOpen();
    return new LocalProducer(this);
  }

  async consumer(options: ConsumerOptions): Promise<GroupConsumer> {
    this.assertOpen();
    if (typeof options?.group !== 'string' || options.group === '') {
      throw new TaneError('TRANSPORT_ERROR', 'a consumer needs a group name', {
        where: this.description,
        hint: 'give { group: "<name>", topics: [...] }',
      });
    }
    if (!Array.isArray(options.topics) || options.topics.length === 0) {
      throw new TaneError('TRANSPORT_ERROR', `consumer of group '${options.group}' has no topics`, {
        where: `group ${options.group}`,
        hint: 'give the topics to consume in { topics: [...] }',
      });
    }
    const consumer = new LocalGroupConsumer(
      {
        store: this.store,
        groups: this.groups,
        feed: this.feed,
        logger: this.logger,
        settings: { leaseTimeoutMs: this.leaseTimeoutMs, heartbeatIntervalMs: this.heartbeatIntervalMs },
        onStopped: (c) => this.consumers.delete(c),
      },
      { ...options, topics: [...new Set(options.topics)] },
    );
    this.consumers.add(consumer);
    return consumer;
  }

  read(topic: string, options: ReadOptions = {}): AsyncIterable<ConsumedMessage> {
    return { [Symbol.asyncIterator]: () => this.readTopic(topic, options) };
  }

  async committedOffsets(group: string, topic: string): Promise<CommittedOffset[]> {
    this.assertOpen();
    return this.groups.committed(group, this.store.requireTopic(topic));
  }

  async resetOffsets(group: string, topic: string, to: OffsetReset): Promise<void> {
    this.assertOpen();
    this.groups.reset(group, this.store.requireTopic(topic), to);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closing.abort();
    for (const consumer of [...this.consumers]) await consumer.stop();
    this.feed.close();
    this.store.close();
  }

  /** Writes messages in one transaction and wakes this process's readers of their topics. */
  append(messages: OutgoingMessage[]): void {
    this.assertOpen();
    messages.forEach((m, i) => {
      const keyOk = typeof m?.key === 'string' || (m?.key == null && m?.partition !== undefined);
      if (typeof m?.topic !== 'string' || !keyOk || typeof m.value !== 'object' || m.value === null) {
        throw new TaneError(
          'TRANSPORT_ERROR',
          `message ${i} is not {topic, key, value: record, partition?}`,
          {
            where: typeof m?.topic === 'string' ? `topic ${m.topic}` : this.description,
            hint: 'give every message a topic, a string key and a record as value',
          },
        );
      }
    });
    const touched = this.store.append(messages);
    if (touched.size > 0) announceTopics(this.store.file, touched);
  }

  private async *readTopic(topicName: string, options: ReadOptions): AsyncGenerator<ConsumedMessage> {
    this.assertOpen();
    const topic = this.store.requireTopic(topicName);
    const positions = new Array<number>(topic.partitions).fill(0);
    for (const start of options.from ?? []) {
      this.store.requirePartition(topic, start.partition);
      positions[start.partition] = Math.max(0, start.offset);
    }
    const ends = options.follow ? undefined : this.store.highs(topic);
    const signal = options.signal
      ? AbortSignal.any([options.signal, this.closing.signal])
      : this.closing.signal;
    for (;;) {
      let progressed = false;
      for (let partition = 0; partition < topic.partitions; partition++) {
        if (signal.aborted) return;
        const from = positions[partition]!;
        const end = ends ? ends[partition]! : NO_END;
        if (from >= end) continue;
        const rows = this.store.fetch(topic, partition, from, READ_BATCH, end);
        if (rows.length === 0) {
          // Compaction may leave nothing below the end; the partition is done.
          if (ends) positions[partition] = end;
          continue;
        }
        progressed = true;
        for (const row of rows) {
          positions[partition] = row.offset + 1;
          yield {
            topic: topic.name,
            partition,
            offset: row.offset,
            key: row.key,
            value: row.value,
            timestamp: row.timestamp,
          };
          if (signal.aborted) return;
        }
      }
      if (!progressed) {
        if (!options.follow) return;
        await this.feed.wait(topic.name, signal);
        if (signal.aborted) return;
      }
    }
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new TaneError('TRANSPORT_ERROR', 'the local transport is closed', {
        where: this.description,
        hint: 'create a new transport; close() is final',
      });
    }
  }
}

/**
 * Opens (creating if needed) a local store: topics, partitions, offsets and
 * consumer groups in one SQLite file that several processes on this machine can share.
 *
 * @example
 * ```ts
 * const transport = await createLocalTransport({ path: './.tane/tane.db' });
 * await transport.createTopics([{ name: 'tane.tasks', partitions: 4 }]);
 * const producer = await transport.producer();
 * await producer.send([{ topic: 'tane.tasks', key: 'email-reply', value: record }]);
 * ```
 */
export async function createLocalTransport(options: LocalTransportOptions): Promise<Transport> {
  return new LocalTransport(options);
}
