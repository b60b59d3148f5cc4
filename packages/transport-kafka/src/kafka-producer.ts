import { type OutgoingMessage, type Producer, serializeRecord } from '@tane/core';
import {
  type ICustomPartitioner,
  type Producer as KafkaJsProducer,
  type Message,
  Partitioners,
  type TopicMessages,
} from 'kafkajs';
import { type KafkaErrorContext, toKafkaError } from './kafka-error.ts';

/**
 * Bytes per produce request. kafkajs puts all messages of one partition into
 * one record batch, and brokers refuse batches above `message.max.bytes`
 * (1 MiB by default), so a large send to a hot partition goes out in chunks.
 */
const MAX_REQUEST_BYTES = 512 * 1024;
/**
 * Java-compatible murmur2 partitioning, for every producer of the transport
 * (plain and transactional): a key lands on the same partition as with the
 * local transport and other Kafka clients.
 */
export const KAFKA_PARTITIONER: ICustomPartitioner = Partitioners.DefaultPartitioner;

/** Per-record overhead in a record batch (offsets, timestamps, lengths), generously. */
const RECORD_OVERHEAD_BYTES = 64;

interface Prepared {
  topic: string;
  message: Message;
  bytes: number;
}

/**
 * Serialises outgoing messages and splits them, in order, into produce
 * requests of at most MAX_REQUEST_BYTES (a larger message goes alone). The
 * transactional writer sends the same requests, so a key lands where it would
 * with the plain producer.
 */
export function toProduceRequests(messages: OutgoingMessage[]): TopicMessages[][] {
  return chunk(
    messages.map((m) => {
      const value = serializeRecord(m.value);
      return {
        topic: m.topic,
        message: { key: m.key, value, ...(m.partition === undefined ? {} : { partition: m.partition }) },
        bytes: Buffer.byteLength(value) + Buffer.byteLength(m.key) + RECORD_OVERHEAD_BYTES,
      };
    }),
  );
}

/** Splits messages, in order, into runs of at most MAX_REQUEST_BYTES (a larger message goes alone). */
function chunk(prepared: Prepared[]): TopicMessages[][] {
  const chunks: TopicMessages[][] = [];
  let current = new Map<string, Message[]>();
  let size = 0;
  const flush = () => {
    if (current.size > 0) chunks.push([...current].map(([topic, messages]) => ({ topic, messages })));
    current = new Map();
    size = 0;
  };
  for (const p of prepared) {
    if (size > 0 && size + p.bytes > MAX_REQUEST_BYTES) flush();
    let list = current.get(p.topic);
    if (!list) {
      list = [];
      current.set(p.topic, list);
    }
    list.push(p.message);
    size += p.bytes;
  }
  flush();
  return chunks;
}

/**
 * The transport's producer: idempotent, `acks=all`, one request in flight, so
 * `send` resolving means every message is on all in-sync replicas.
 */
export class KafkaProducer implements Producer {
  // kafkajs assigns idempotence sequence numbers per request; overlapping sends
  // on one producer can race for them, so sends go out one after another.
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Topics seen to exist, so the check below costs one metadata call per topic. */
  private readonly known = new Set<string>();

  constructor(
    private readonly producer: KafkaJsProducer,
    private readonly errorContext: Omit<KafkaErrorContext, 'action'>,
    /** Throws `TOPIC_NOT_FOUND` at once; kafkajs would retry an unknown topic for a minute first. */
    private readonly checkTopics: (topics: string[]) => Promise<void>,
    private readonly onClose: () => void,
  ) {}

  send(messages: OutgoingMessage[]): Promise<void> {
    if (this.closed) {
      return Promise.reject(
        toKafkaError(new Error('the producer is closed'), { ...this.errorContext, action: 'sending' }),
      );
    }
    if (messages.length === 0) return Promise.resolve();
    const requests = toProduceRequests(messages);
    const topics = [...new Set(messages.map((m) => m.topic))];
    const run = async (): Promise<void> => {
      const unknown = topics.filter((t) => !this.known.has(t));
      if (unknown.length > 0) {
        await this.checkTopics(unknown);
        for (const t of unknown) this.known.add(t);
      }
      try {
        for (const topicMessages of requests) {
          await this.producer.sendBatch({ topicMessages, acks: -1 });
        }
      } catch (err) {
        throw toKafkaError(err, {
          ...this.errorContext,
          action: `sending ${messages.length} message(s) to ${topics.join(', ')}`,
          ...(topics.length === 1 ? { topic: topics[0], where: `topic ${topics[0]}` } : {}),
        });
      }
    };
    const result = this.chain.then(run, run);
    this.chain = result.catch(() => {});
    return result;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.chain;
    this.onClose();
    await this.producer.disconnect().catch(() => {});
  }
}
