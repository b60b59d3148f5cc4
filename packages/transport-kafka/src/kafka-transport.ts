import { randomUUID } from 'node:crypto';
import {
  type CommittedOffset,
  type ConsumedMessage,
  type ConsumerOptions,
  type GroupConsumer,
  type Logger,
  type OffsetReset,
  type PartitionOffsets,
  type Producer,
  type ReadOptions,
  redactSecrets,
  TaneError,
  type TopicInfo,
  type TopicSpec,
  type Transport,
} from '@tane/core';
import type { Admin, ConfigResourceTypes, Kafka } from 'kafkajs';
import { type KafkaErrorContext, kafkaErrorType, toKafkaError } from './kafka-error.ts';
import { KafkaGroupConsumer, type KafkaGroupConsumerSettings } from './kafka-group-consumer.ts';
import { KAFKA_PARTITIONER, KafkaProducer } from './kafka-producer.ts';
import { type RetryPolicy, withRetries } from './kafka-retry.ts';
import { readTopic } from './read-topic.ts';

/** Settings the transport hands on to its consumers and producers (already defaulted). */
export interface KafkaTransportSettings {
  brokers: string[];
  clientId: string;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  maxWaitTimeMs: number;
  maxOutageMs: number;
  maxBufferedBytes: number;
  /** Longest one admin request may take before it fails as retryable and the admin client is replaced. */
  adminDeadlineMs: number;
  /** Consumers offer `commitWithOutputs` (Kafka transactions). */
  transactions: boolean;
  /** `transaction.timeout.ms` of the transactional producers. */
  transactionTimeoutMs: number;
  logger: Logger;
  /** Creates a kafkajs client with another client id (same brokers, TLS, SASL, logging). */
  kafkaFor(clientId: string): Kafka;
}

interface Closable {
  close(): Promise<void>;
}

const TOPIC_READY_DEADLINE_MS = 30_000;
/**
 * `ConfigResourceTypes.TOPIC`. A literal: Node cannot import that enum from
 * kafkajs's CommonJS index by name (its export list defeats static detection).
 */
const TOPIC_RESOURCE = 2 as ConfigResourceTypes;
const READER_GROUP_PREFIX = 'tane-read-';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The `Transport` on Apache Kafka. Made by {@link createKafkaTransport}. */
export class KafkaTransport implements Transport {
  readonly kind = 'kafka';
  readonly description: string;
  private readonly open = new Set<Closable>();
  private closed = false;

  constructor(
    private readonly kafka: Kafka,
    private admin: Admin,
    private readonly settings: KafkaTransportSettings,
  ) {
    this.description = settings.brokers.join(',');
  }

  /** Set while a replaced admin client connects; a failed connect is tried again by the next call. */
  private adminConnecting: Promise<void> | undefined;

  /**
   * Runs one admin request with a deadline. kafkajs bounds each request, but
   * across a broker restart an admin call was seen to wait for ever (no
   * request, no timer left); past the deadline the call fails as retryable and
   * the admin client is replaced, so the next call gets a fresh connection.
   */
  private async withAdmin<T>(action: string, fn: (admin: Admin) => Promise<T>): Promise<T> {
    if (this.adminConnecting) {
      try {
        await this.adminConnecting;
        this.adminConnecting = undefined;
      } catch (err) {
        this.adminConnecting = undefined;
        this.replaceAdmin();
        throw err;
      }
    }
    const admin = this.admin;
    const deadlineMs = this.settings.adminDeadlineMs;
    let timer: NodeJS.Timeout | undefined;
    let stalled = false;
    try {
      return await Promise.race([
        fn(admin),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            stalled = true;
            reject(
              new TaneError(
                'TRANSPORT_ERROR',
                `Kafka did not answer within ${Math.round(deadlineMs / 1000)} s while ${action}`,
                {
                  where: this.description,
                  hint: 'the call is safe to repeat; check that the brokers are up (tane tries again on a new connection)',
                  retryable: true,
                },
              ),
            );
          }, deadlineMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
      if (stalled && admin === this.admin) {
        this.settings.logger.warn('a Kafka admin request got no answer; reconnecting', { action });
        this.replaceAdmin();
      }
    }
  }

  private replaceAdmin(): void {
    const old = this.admin;
    // Not awaited: a wedged client may never finish disconnecting.
    void old.disconnect().catch(() => {});
    this.admin = this.kafka.admin();
    this.adminConnecting = this.admin.connect();
    this.adminConnecting.catch(() => {});
  }

  async createTopics(topics: TopicSpec[]): Promise<void> {
    this.assertOpen();
    for (const t of topics) {
      if (!t.name || !Number.isInteger(t.partitions) || t.partitions < 1) {
        throw new TaneError('USAGE', `invalid topic spec ${JSON.stringify(t)}`, {
          hint: 'give each topic a name and a partition count of at least 1',
        });
      }
    }
    if (topics.length === 0) return;
    const existing = new Set(
      await this.call('listing topics', {}, () => this.withAdmin('listing topics', (a) => a.listTopics())),
    );
    const missing = topics.filter((t) => !existing.has(t.name));
    if (missing.length > 0) {
      try {
        await this.call('creating topics', { where: missing.map((t) => `topic ${t.name}`).join(', ') }, () =>
          this.withAdmin('creating topics', (a) =>
            a.createTopics({
              waitForLeaders: true,
              timeout: TOPIC_READY_DEADLINE_MS,
              topics: missing.map((t) => ({
                topic: t.name,
                numPartitions: t.partitions,
                configEntries: t.compacted ? [{ name: 'cleanup.policy', value: 'compact' }] : [],
              })),
            }),
          ),
        );
      } catch (err) {
        // kafkajs's own wait for the leaders gives up when the new topic is missing from
        // the metadata it just refreshed (a busy broker); the wait below does it again.
        const type = kafkaErrorType(err);
        if (type !== 'UNKNOWN_TOPIC_OR_PARTITION' && type !== 'LEADER_NOT_AVAILABLE') throw err;
        this.settings.logger.debug('new topics not in the metadata yet; waiting for their leaders', { type });
      }
      this.settings.logger.info('created Kafka topics', {
        topics: missing.map((t) => `${t.name} (${t.partitions})`),
      });
    }
    await this.waitForLeaders(topics.map((t) => t.name));
    for (const t of topics) {
      if (!existing.has(t.name)) continue;
      const [info] = await this.topicMetadata([t.name]);
      if (info && info.partitions.length !== t.partitions) {
        this.settings.logger.warn('topic exists with another partition count; left as it is', {
          topic: t.name,
          partitions: info.partitions.length,
          wanted: t.partitions,
        });
      }
    }
  }

  async listTopics(): Promise<TopicInfo[]> {
    this.assertOpen();
    const names = (
      await this.call('listing topics', {}, () => this.withAdmin('listing topics', (a) => a.listTopics()))
    )
      .filter((n) => !n.startsWith('__'))
      .sort();
    if (names.length === 0) return [];
    const metadata = await this.topicMetadata(names);
    const configs = await this.call('reading topic configs', {}, () =>
      this.withAdmin('reading topic configs', (a) =>
        a.describeConfigs({
          includeSynonyms: false,
          resources: names.map((name) => ({
            type: TOPIC_RESOURCE,
            name,
            configNames: ['cleanup.policy'],
          })),
        }),
      ),
    );
    const compacted = new Set(
      configs.resources
        .filter((r) =>
          r.configEntries.some((e) => e.configName === 'cleanup.policy' && e.configValue.includes('compact')),
        )
        .map((r) => r.resourceName),
    );
    return metadata
      .map((t) => ({
        name: t.name,
        partitions: t.partitions.length,
        ...(compacted.has(t.name) ? { compacted: true } : {}),
      }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async offsets(topic: string): Promise<PartitionOffsets[]> {
    this.assertOpen();
    // Metadata first: an unknown topic fails at once there, while kafkajs's
    // offset lookup would retry it for several seconds.
    await this.topicMetadata([topic]);
    // kafkajs looks the partitions up twice (end, then start) in metadata that other calls on the
    // same admin refresh meanwhile; when the topic drops out in between it fails with a TypeError.
    const offsets = await withRetries(
      METADATA_RACE_RETRY,
      () =>
        this.call('reading offsets', { topic, where: `topic ${topic}` }, () =>
          this.withAdmin('reading offsets', (a) => a.fetchTopicOffsets(topic)),
        ),
      (err) => err instanceof TaneError && err.cause instanceof TypeError,
    );
    return offsets
      .map((o) => ({ partition: o.partition, low: Number(o.low), high: Number(o.high) }))
      .sort((a, b) => a.partition - b.partition);
  }

  async producer(): Promise<Producer> {
    this.assertOpen();
    const p = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: KAFKA_PARTITIONER,
      // kafkajs retries an idempotent producer for ever by default; a bounded
      // budget turns an outage into an error the caller sees (within a minute).
      retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 10_000 },
    });
    await this.call('connecting a producer', {}, () => p.connect());
    const producer: KafkaProducer = new KafkaProducer(
      p,
      { brokers: this.description },
      async (topics) => {
        await this.topicMetadata(topics);
      },
      () => this.open.delete(producer),
    );
    this.open.add(producer);
    return producer;
  }

  async consumer(options: ConsumerOptions): Promise<GroupConsumer> {
    this.assertOpen();
    if (!options.group) {
      throw new TaneError('USAGE', 'a consumer needs a group id', { hint: 'pass { group, topics }' });
    }
    if (options.topics.length === 0) {
      throw new TaneError('USAGE', `consumer group ${options.group} has no topics`, {
        hint: 'pass at least one topic',
      });
    }
    // kafkajs fails obscurely when subscribing to a topic that does not exist yet.
    const metadata = await this.topicMetadata(options.topics);
    const clientId = options.clientId ?? this.settings.clientId;
    const { group } = options;
    return this.newConsumer(clientId, {
      group,
      topics: options.topics,
      fromBeginning: (options.start ?? 'earliest') === 'earliest',
      partitionCount: metadata.reduce((n, t) => n + t.partitions.length, 0),
      ...(this.settings.transactions
        ? {
            transactions: {
              kafka: this.settings.kafkaFor(clientId),
              transactionTimeoutMs: this.settings.transactionTimeoutMs,
              committedOffset: async (tp) =>
                (await this.committedOffsets(group, tp.topic)).find((c) => c.partition === tp.partition)
                  ?.offset,
              checkTopics: async (topics) => {
                await this.topicMetadata(topics);
              },
            },
          }
        : {}),
    });
  }

  read(topic: string, options?: ReadOptions): AsyncIterable<ConsumedMessage> {
    this.assertOpen();
    return readTopic(
      {
        offsets: (t) => this.offsets(t),
        createReader: async (t, partitionCount, startOffset) => {
          const group = `${READER_GROUP_PREFIX}${t}-${randomUUID()}`;
          const consumer = this.newConsumer(this.settings.clientId, {
            group,
            topics: [t],
            fromBeginning: true,
            partitionCount,
            startOffset,
          });
          return { consumer, cleanup: () => this.deleteGroup(group) };
        },
      },
      topic,
      options,
    );
  }

  async committedOffsets(group: string, topic: string): Promise<CommittedOffset[]> {
    this.assertOpen();
    const result = await this.call(
      'reading committed offsets',
      { topic, where: `group ${group}, topic ${topic}` },
      () =>
        this.withAdmin('reading committed offsets', (a) =>
          a.fetchOffsets({ groupId: group, topics: [topic] }),
        ),
    );
    return result
      .filter((t) => t.topic === topic)
      .flatMap((t) => t.partitions)
      .map((p) => ({ partition: p.partition, offset: Number(p.offset) }))
      .filter((p) => p.offset >= 0)
      .sort((a, b) => a.partition - b.partition);
  }

  async resetOffsets(group: string, topic: string, to: OffsetReset): Promise<void> {
    this.assertOpen();
    const where = `group ${group}, topic ${topic}`;
    const described = await this.call('describing the group', { where }, () =>
      this.withAdmin('describing the group', (a) => a.describeGroups([group])),
    );
    const members = described.groups.find((g) => g.groupId === group)?.members ?? [];
    if (members.length > 0) {
      throw new TaneError(
        'GROUP_LOCKED',
        `group ${group} has ${members.length} active member(s) (${members.map((m) => m.clientHost + ' ' + m.clientId).join(', ')}); offsets can only move while it has none`,
        { where, hint: 'stop every worker of this group first, then run this again' },
      );
    }
    const ends = await this.offsets(topic);
    let target: CommittedOffset[];
    switch (to.to) {
      case 'earliest':
        target = ends.map((e) => ({ partition: e.partition, offset: e.low }));
        break;
      case 'latest':
        target = ends.map((e) => ({ partition: e.partition, offset: e.high }));
        break;
      case 'timestamp': {
        const byTime = await this.call('looking up offsets by time', { topic, where }, () =>
          this.withAdmin('reading offsets by time', (a) =>
            a.fetchTopicOffsetsByTimestamp(topic, to.timestamp),
          ),
        );
        target = byTime.map((o) => ({ partition: o.partition, offset: Number(o.offset) }));
        break;
      }
      case 'offsets': {
        for (const o of to.offsets) {
          const end = ends.find((e) => e.partition === o.partition);
          if (!end) {
            throw new TaneError('USAGE', `topic ${topic} has no partition ${o.partition}`, {
              where,
              hint: `partitions are 0..${ends.length - 1}`,
            });
          }
          if (!Number.isSafeInteger(o.offset) || o.offset < end.low || o.offset > end.high) {
            throw new TaneError(
              'USAGE',
              `offset ${o.offset} is outside ${topic}/${o.partition} (${end.low}..${end.high})`,
              {
                where,
                hint: 'give an offset between the first stored and the end offset (see `tane topics offsets`)',
              },
            );
          }
        }
        target = to.offsets;
        break;
      }
    }
    if (target.length === 0) return;
    await this.call('moving committed offsets', { topic, where }, () =>
      this.commitAsIdleMember(group, topic, target),
    );
    this.settings.logger.info('moved committed offsets', { group, topic, to: to.to });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.open].map((c) => c.close()));
    this.open.clear();
    await this.admin.disconnect().catch(() => {});
  }

  // ----- helpers -------------------------------------------------------------

  private newConsumer(
    clientId: string,
    settings: Pick<
      KafkaGroupConsumerSettings,
      'group' | 'topics' | 'fromBeginning' | 'partitionCount' | 'startOffset' | 'transactions'
    >,
  ): KafkaGroupConsumer {
    const entry: Closable = { close: () => consumer.stop() };
    const consumer = new KafkaGroupConsumer(
      this.settings.kafkaFor(clientId),
      {
        ...settings,
        sessionTimeoutMs: this.settings.sessionTimeoutMs,
        heartbeatIntervalMs: this.settings.heartbeatIntervalMs,
        maxWaitTimeMs: this.settings.maxWaitTimeMs,
        maxOutageMs: this.settings.maxOutageMs,
        maxBufferedBytes: this.settings.maxBufferedBytes,
        brokers: this.description,
        logger: this.settings.logger,
      },
      () => this.open.delete(entry),
    );
    this.open.add(entry);
    return consumer;
  }

  private async topicMetadata(topics: string[]): Promise<Array<{ name: string; partitions: number[] }>> {
    try {
      const { topics: md } = await this.withAdmin('reading topic metadata', (a) =>
        a.fetchTopicMetadata({ topics }),
      );
      return md.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => p.partitionId).sort((a, b) => a - b),
      }));
    } catch (err) {
      if (kafkaErrorType(err) === 'UNKNOWN_TOPIC_OR_PARTITION') {
        const existing = new Set(
          await this.call('listing topics', {}, () =>
            this.withAdmin('listing topics', (a) => a.listTopics()),
          ),
        );
        const missing = topics.filter((t) => !existing.has(t));
        throw new TaneError(
          'TOPIC_NOT_FOUND',
          `topic ${missing.join(', ') || topics.join(', ')} does not exist on ${this.description}`,
          {
            where: `topic ${missing[0] ?? topics[0]}`,
            hint: 'create it first (a pipeline creates its topics on start), or check the topic prefix',
            cause: err,
          },
        );
      }
      throw toKafkaError(err, { brokers: this.description, action: 'reading topic metadata' });
    }
  }

  /** Until every partition of the topics has a leader: a new topic is not usable before. */
  private async waitForLeaders(topics: string[]): Promise<void> {
    const deadline = Date.now() + TOPIC_READY_DEADLINE_MS;
    for (;;) {
      try {
        const { topics: md } = await this.withAdmin('reading topic metadata', (a) =>
          a.fetchTopicMetadata({ topics }),
        );
        if (md.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
      } catch (err) {
        const type = kafkaErrorType(err);
        if (type !== 'UNKNOWN_TOPIC_OR_PARTITION' && type !== 'LEADER_NOT_AVAILABLE') {
          throw toKafkaError(err, { brokers: this.description, action: 'waiting for new topics' });
        }
      }
      if (Date.now() > deadline) {
        throw new TaneError(
          'TRANSPORT_ERROR',
          `topics ${topics.join(', ')} have no partition leaders after ${TOPIC_READY_DEADLINE_MS / 1000}s`,
          {
            where: this.description,
            hint: 'check the brokers (bash deploy/kafka/kafka.sh logs for the local one)',
            retryable: true,
          },
        );
      }
      await sleep(100);
    }
  }

  /**
   * Commits offsets for a group that has no members, by joining it briefly
   * with fetching paused. (kafkajs's `admin.setOffsets` does the same but waits
   * a full fetch interval, about 5 s, before it leaves.)
   */
  private async commitAsIdleMember(group: string, topic: string, offsets: CommittedOffset[]): Promise<void> {
    const consumer = this.settings.kafkaFor(`${this.settings.clientId}-admin`).consumer({
      groupId: group,
      maxWaitTimeInMs: 100,
      allowAutoTopicCreation: false,
      retry: { retries: 3, restartOnFailure: async () => false },
    });
    let joined: () => void = () => {};
    let crashed: (err: Error) => void = () => {};
    const join = new Promise<void>((resolve, reject) => {
      joined = resolve;
      crashed = reject;
    });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      // Synchronous, inside the join: nothing is fetched before the pause.
      consumer.pause([{ topic }]);
      joined();
    });
    consumer.on(consumer.events.CRASH, (e) => crashed(e.payload.error));
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic] });
      await consumer.run({ autoCommit: false, eachBatch: async () => {} });
      await join;
      await consumer.commitOffsets(
        offsets.map((o) => ({ topic, partition: o.partition, offset: String(o.offset) })),
      );
    } finally {
      await consumer.disconnect().catch(() => {});
    }
  }

  private async deleteGroup(group: string): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.withAdmin('deleting a reader group', (a) => a.deleteGroups([group]));
        return;
      } catch (err) {
        // Right after the member leaves, the coordinator may still count it.
        this.settings.logger.debug('deleting a reader group failed', {
          group,
          error: redactSecrets(String(err)),
        });
        await sleep(300 * (attempt + 1));
      }
    }
  }

  private async call<T>(action: string, ctx: Partial<KafkaErrorContext>, fn: () => Promise<T>): Promise<T> {
    try {
      // A broker that just started (or moved a group) answers for a few seconds that the group
      // coordinator is loading or elsewhere; that passes, so wait and ask again (~10 s at most).
      return await withRetries(COORDINATOR_RETRY, fn, (err, attempt) => {
        if (!isCoordinatorMoving(err)) return false;
        this.settings.logger.debug(`${action}: group coordinator not ready, retrying`, { attempt });
        return true;
      });
    } catch (err) {
      throw toKafkaError(err, { brokers: this.description, action, ...ctx });
    }
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new TaneError('USAGE', `the Kafka transport for ${this.description} is closed`, {
        hint: 'create a new transport',
      });
    }
  }
}

const COORDINATOR_RETRY: RetryPolicy = { attempts: 10, initialDelayMs: 200, maxDelayMs: 2000 };
const METADATA_RACE_RETRY: RetryPolicy = { attempts: 4, initialDelayMs: 50, maxDelayMs: 400 };
const COORDINATOR_ERRORS = new Set([
  'NOT_COORDINATOR_FOR_GROUP',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'GROUP_COORDINATOR_NOT_AVAILABLE',
  'COORDINATOR_NOT_AVAILABLE',
  'GROUP_LOAD_IN_PROGRESS',
]);

/** True for kafkajs errors (or their causes) saying the group coordinator is loading or moved. */
function isCoordinatorMoving(err: unknown): boolean {
  for (let e: unknown = err; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const type = (e as { type?: unknown }).type;
    if (typeof type === 'string' && COORDINATOR_ERRORS.has(type)) return true;
    const code = (e as { code?: unknown }).code;
    if (code === 14 || code === 15 || code === 16) return true;
  }
  return false;
}
