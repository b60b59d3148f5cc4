import { createHash } from 'node:crypto';
import type { OutgoingMessage, TopicPartition } from '@tane/core';
import type { Kafka, Producer as KafkaJsProducer, Transaction } from 'kafkajs';
import { KAFKA_PARTITIONER, toProduceRequests } from './kafka-producer.ts';

/** What makes a transactional id: the group and the source partition whose outputs it writes. */
export interface TransactionalSource extends TopicPartition {
  group: string;
}

/**
 * The transactional id of a group's source partition: the same on every member
 * and every restart, so the next owner's `InitProducerId` fences the previous
 * one. Readable parts for the broker's logs, and a hash of the exact names,
 * because sanitising (and dots inside names) could make two sources look alike.
 *
 * @example
 * ```ts
 * transactionalIdOf({ group: 'tane.ja', topic: 'tane.tasks', partition: 3 });
 * // 'tane-txn.tane.ja.tane.tasks.3.9f2c01ab'
 * ```
 */
export function transactionalIdOf(source: TransactionalSource): string {
  const clean = (s: string): string => s.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100);
  const hash = createHash('sha256')
    .update(JSON.stringify([source.group, source.topic, source.partition]))
    .digest('hex')
    .slice(0, 8);
  return `tane-txn.${clean(source.group)}.${clean(source.topic)}.${source.partition}.${hash}`;
}

/**
 * How a transaction failed: `aborted` (nothing of it is visible and the writer
 * can go on), or `unusable` (the abort failed too, or the commit itself failed
 * so its outcome is unknown): the writer must be replaced, and only a new
 * `init` settles what happened to the transaction.
 */
export type TransactionFailure = 'aborted' | 'unusable';

/** A failed transaction; `cause` is what kafkajs threw. */
export class TransactionFailed extends Error {
  constructor(
    readonly failure: TransactionFailure,
    cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'TransactionFailed';
  }
}

export interface TransactionalWriterSettings {
  source: TransactionalSource;
  /** How long the broker lets a transaction stay open before aborting it. */
  transactionTimeoutMs: number;
}

/**
 * Writes one source partition's outputs and its committed offset in Kafka
 * transactions, on its own kafkajs transactional producer (idempotent, one
 * request in flight). One transaction at a time: callers serialise.
 *
 * {@link init} registers the transactional id with the broker
 * (`InitProducerId`), which bumps its epoch: every older producer with the same
 * id is fenced, and a transaction it left open is aborted.
 */
export class TransactionalWriter {
  readonly transactionalId: string;
  private readonly producer: KafkaJsProducer;
  private closed = false;

  constructor(
    kafka: Kafka,
    private readonly settings: TransactionalWriterSettings,
  ) {
    this.transactionalId = transactionalIdOf(settings.source);
    this.producer = kafka.producer({
      transactionalId: this.transactionalId,
      transactionTimeout: settings.transactionTimeoutMs,
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: KAFKA_PARTITIONER,
      // Short: a transaction that cannot get through fails well within its
      // timeout, and the consumer decides whether to try it again.
      retry: { retries: 8, initialRetryTime: 20, maxRetryTime: 3000 },
    });
  }

  /** Connects and fences every previous producer of this transactional id. */
  async init(): Promise<void> {
    await this.producer.connect();
    // kafkajs runs InitProducerId when the first transaction begins; one with
    // nothing in it ends without a request to the broker.
    const txn = await this.producer.transaction();
    await txn.abort();
  }

  /**
   * One transaction: the messages, then the next offsets to read for the group
   * (the writer's source partition; more only for callers that commit several
   * partitions at once), then commit. On an error it aborts;
   * {@link TransactionFailed} says whether the abort went through.
   */
  async commit(
    messages: OutgoingMessage[],
    offsets: Array<TopicPartition & { offset: number }>,
  ): Promise<void> {
    const { source } = this.settings;
    const byTopic = new Map<string, Array<{ partition: number; offset: string }>>();
    for (const o of offsets) {
      const list = byTopic.get(o.topic) ?? [];
      list.push({ partition: o.partition, offset: String(o.offset) });
      byTopic.set(o.topic, list);
    }
    let txn: Transaction;
    try {
      txn = await this.producer.transaction();
    } catch (err) {
      throw new TransactionFailed('unusable', err);
    }
    let committing = false;
    try {
      for (const topicMessages of toProduceRequests(messages)) {
        await txn.sendBatch({ topicMessages, acks: -1 });
      }
      await txn.sendOffsets({
        consumerGroupId: source.group,
        topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
      });
      committing = true;
      await txn.commit();
    } catch (err) {
      // A failed EndTxn may still have committed (the answer was lost).
      if (committing) throw new TransactionFailed('unusable', err);
      try {
        await txn.abort();
      } catch {
        throw new TransactionFailed('unusable', err);
      }
      throw new TransactionFailed('aborted', err);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.producer.disconnect().catch(() => {});
  }
}
