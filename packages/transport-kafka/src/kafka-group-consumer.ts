import {
  type ConsumedMessage,
  type ConsumerHandlers,
  type GroupConsumer,
  type Logger,
  type OutgoingMessage,
  redactSecrets,
  TaneError,
  type TopicPartition,
} from '@tane/core';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { isConcurrentTransactionError, isFencedError, toKafkaError } from './kafka-error.ts';
import { type RetryPolicy, withRetries } from './kafka-retry.ts';
import { TransactionalWriter, TransactionFailed } from './transactional-writer.ts';

/** Exactly-once output on Kafka transactions: what the consumer needs for `commitWithOutputs`. */
export interface KafkaTransactionSettings {
  /** The kafkajs client the partitions' transactional producers are made from. */
  kafka: Kafka;
  /** `transaction.timeout.ms` of those producers. */
  transactionTimeoutMs: number;
  /** The group's committed offset of a partition, read from the broker; `undefined` when it has none. */
  committedOffset(tp: TopicPartition): Promise<number | undefined>;
  /** Throws `TOPIC_NOT_FOUND` for a topic that does not exist (kafkajs would retry it for a minute). */
  checkTopics(topics: string[]): Promise<void>;
}

/** How a {@link KafkaGroupConsumer} is set up; filled in by the transport. */
export interface KafkaGroupConsumerSettings {
  group: string;
  topics: string[];
  /** Where a partition without a committed offset starts. */
  fromBeginning: boolean;
  /** Total partitions of the subscribed topics: how many partitions kafkajs handles at once. */
  partitionCount: number;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  maxWaitTimeMs: number;
  /** How long the member keeps rejoining after kafkajs crashed (brokers gone) before it reports `onError`. */
  maxOutageMs: number;
  /** Bytes (message values) read ahead per partition before its fetching pauses. */
  maxBufferedBytes: number;
  brokers: string;
  logger: Logger;
  /**
   * Where a newly assigned partition starts, overriding the committed offset
   * (the throw-away readers of `Transport.read` use it); `undefined` keeps Kafka's choice.
   */
  startOffset?: (tp: TopicPartition) => number | undefined;
  /** With it, the consumer has `commitWithOutputs` (one Kafka transaction per call). */
  transactions?: KafkaTransactionSettings;
}

interface PartitionState {
  readonly tp: TopicPartition;
  readonly key: string;
  /** Fetched, not yet handed to `onMessage`. */
  queue: ConsumedMessage[];
  /** Size of the values in `queue`. */
  bytes: number;
  /** The offset after the last fetched message: where fetching continues after a rebalance. */
  position: number | undefined;
  /** `onAssigned` has resolved, so messages may flow. */
  ready: boolean;
  delivering: boolean;
  userPaused: boolean;
  /** Paused because the read-ahead buffer is full. */
  flowPaused: boolean;
  /** What kafkajs was last told. */
  kafkaPaused: boolean;
  revoked: boolean;
  /** The partition's transactional writer once its `InitProducerId` went through (transactions on). */
  writer: Promise<TransactionalWriter> | undefined;
  /**
   * Set when the writer was dropped after a failure: the heartbeat count at that
   * moment, whether it was fenced, and the offset of a transaction whose
   * outcome is unknown. A new writer would fence whoever holds the
   * transactional id now, so it is made only once later heartbeats prove that
   * this member still owns the partition.
   */
  writerLost: { heartbeats: number; fenced: boolean; unknownOffset: number | undefined } | undefined;
  /** This partition's transactions, one after another. */
  transactions: Promise<unknown>;
}

type State = 'new' | 'starting' | 'running' | 'stopped' | 'failed';

const STOP_DEADLINE_MS = 30_000;
/** A whole transaction again after an abort that went through (retryable broker errors, a transaction still completing). */
const TRANSACTION_RETRY: RetryPolicy = { attempts: 8, initialDelayMs: 20, maxDelayMs: 1000 };
/** `InitProducerId` for a partition handed over (kafkajs already retries a transaction still completing). */
const INIT_RETRY: RetryPolicy = { attempts: 4, initialDelayMs: 500, maxDelayMs: 4000 };
/**
 * Heartbeats that must succeed, with the same member id, after a writer was
 * lost before a new one may fence its transactional id: the second was sent
 * after the first was answered, so the group had not moved on when the writer
 * was lost (a moved-on group refuses the heartbeat).
 */
const HEARTBEATS_TO_CONFIRM = 2;

const keyOf = (tp: TopicPartition): string => `${tp.topic}\u0000${tp.partition}`;
const describeTp = (tp: TopicPartition): string => `${tp.topic}/${tp.partition}`;

/** A position marker: the log holds no record for the consumer at `offset` (transaction markers, aborted records). */
function positionMarker(topic: string, partition: number, offset: number): ConsumedMessage {
  return { topic, partition, offset, key: null, value: '', timestamp: Date.now(), control: true };
}

function toConsumedMessage(topic: string, partition: number, m: KafkaMessage): ConsumedMessage {
  return {
    topic,
    partition,
    offset: Number(m.offset),
    key: m.key ? m.key.toString('utf8') : null,
    value: m.value ? m.value.toString('utf8') : '',
    timestamp: Number(m.timestamp),
  };
}

/**
 * One member of a Kafka consumer group, on kafkajs.
 *
 * kafkajs heartbeats only from its own fetch loop, so a handler that blocks that
 * loop for longer than the session timeout gets the member thrown out of the
 * group. Here the loop never waits for `onMessage`: each fetched batch goes into
 * a small per-partition buffer and returns at once, and a separate delivery loop
 * per partition awaits `onMessage` message by message. A full buffer pauses that
 * partition's fetching (kafkajs `pause`), which is the backpressure; heartbeats
 * and rebalances go on meanwhile.
 *
 * Rebalances (kafkajs only has the eager protocol) are reported as a diff: a
 * partition kept across a rebalance by the same member carries on where it was,
 * without redelivery; one that is gone is reported through `onRevoked` and its
 * commits are refused from then on. If the member lost its membership (evicted,
 * crashed), everything it had is revoked and the new assignment starts from the
 * committed offsets.
 */
export class KafkaGroupConsumer implements GroupConsumer {
  private readonly consumer: Consumer;
  private readonly partitions = new Map<string, PartitionState>();
  private handlers: ConsumerHandlers | undefined;
  private state: State = 'new';
  private memberId: string | undefined;
  /** When kafkajs first crashed since the last successful join. */
  private outageSince: number | undefined;
  private startError: unknown;
  private notifications: Promise<void> = Promise.resolve();
  private firstJoinDone: (() => void) | undefined;
  private readonly firstJoin: Promise<void>;
  private readonly log: Logger;
  /** Successful heartbeats of the current membership (reset with a new member id). */
  private heartbeats = 0;
  private heartbeatWaiters = new Set<() => void>();
  /** Writers being closed, awaited by `stop()`. */
  private readonly closing = new Set<Promise<void>>();
  /** Output topics seen to exist. */
  private readonly knownTopics = new Set<string>();

  /**
   * Writes a source partition's outputs and commits its offset in one Kafka
   * transaction (see the `GroupConsumer` interface). Present only when the
   * transport has transactions on (the default; `TANE_KAFKA_TRANSACTIONS=0`
   * turns them off).
   *
   * `offsets` must name exactly one partition this member owns. Throws
   * `GROUP_LOCKED`, with nothing of the call visible to read_committed readers,
   * when the partition is no longer owned or its producer was fenced by a newer
   * owner; a retryable `TRANSPORT_ERROR` when the brokers could not take it
   * after a few attempts.
   *
   * @example
   * ```ts
   * await consumer.commitWithOutputs?.(outputs, [{ topic: m.topic, partition: m.partition, offset: m.offset + 1 }]);
   * ```
   */
  readonly commitWithOutputs?: (
    messages: OutgoingMessage[],
    offsets: Array<TopicPartition & { offset: number }>,
  ) => Promise<void>;

  constructor(
    kafka: Kafka,
    private readonly settings: KafkaGroupConsumerSettings,
    private readonly onClose: () => void,
  ) {
    this.log = settings.logger.child({ group: settings.group });
    this.firstJoin = new Promise<void>((resolve) => {
      this.firstJoinDone = resolve;
    });
    this.consumer = kafka.consumer({
      groupId: settings.group,
      sessionTimeout: settings.sessionTimeoutMs,
      heartbeatInterval: settings.heartbeatIntervalMs,
      maxWaitTimeInMs: settings.maxWaitTimeMs,
      allowAutoTopicCreation: false,
      retry: {
        // Restart after a retriable crash (broker restarting, coordinator moved),
        // but not during start(), which reports the error instead, and not for ever.
        restartOnFailure: async () => {
          if (this.state !== 'running') return false;
          this.outageSince ??= Date.now();
          return Date.now() - this.outageSince < settings.maxOutageMs;
        },
      },
      // Never a record of an aborted or still open transaction (kafkajs's default, made explicit).
      readUncommitted: false,
    });
    if (settings.transactions) {
      const transactions = settings.transactions;
      this.commitWithOutputs = (messages, offsets) =>
        this.commitInTransaction(transactions, messages, offsets);
    }
  }

  async start(handlers: ConsumerHandlers): Promise<void> {
    if (this.state !== 'new') {
      throw new TaneError('USAGE', `the consumer of group ${this.settings.group} was already started`, {
        hint: 'create a new consumer with transport.consumer() to join again',
      });
    }
    this.handlers = handlers;
    this.state = 'starting';
    const c = this.consumer;
    c.on(c.events.GROUP_JOIN, (e) => this.onGroupJoin(e.payload.memberId, e.payload.memberAssignment));
    c.on(c.events.CRASH, (e) => this.onCrash(e.payload.error, e.payload.restart));
    c.on(c.events.REBALANCING, () => this.log.debug('group is rebalancing; rejoining'));
    c.on(c.events.HEARTBEAT, (e) => this.onHeartbeat(e.payload.memberId));
    // Batches holding only transaction markers or aborted records never reach eachBatch.
    c.on(c.events.START_BATCH_PROCESS, (e) => {
      if (e.payload.batchSize === 0)
        this.onFilteredBatch(e.payload.topic, e.payload.partition, e.payload.lastOffset);
    });
    try {
      await c.connect();
      await c.subscribe({ topics: this.settings.topics, fromBeginning: this.settings.fromBeginning });
      // Resolves after the first join (or after a crash during it).
      await c.run({
        autoCommit: false,
        eachBatchAutoResolve: true,
        partitionsConsumedConcurrently: Math.max(1, this.settings.partitionCount),
        eachBatch: async (payload) => this.onBatch(payload),
      });
    } catch (err) {
      this.startError ??= err;
    }
    // stop() may have run meanwhile (TypeScript cannot see that through the awaits).
    if ((this.state as State) === 'stopped') return;
    if (this.startError !== undefined) {
      this.state = 'failed';
      await c.disconnect().catch(() => {});
      this.onClose();
      throw toKafkaError(this.startError, {
        brokers: this.settings.brokers,
        action: `joining consumer group ${this.settings.group}`,
        where: `group ${this.settings.group}`,
        ...(this.settings.topics.length === 1 ? { topic: this.settings.topics[0] } : {}),
      });
    }
    await this.firstJoin;
  }

  async commit(offsets: Array<TopicPartition & { offset: number }>): Promise<void> {
    const { group } = this.settings;
    if (this.state !== 'running') {
      throw new TaneError('TRANSPORT_ERROR', `cannot commit: the member of group ${group} is ${this.state}`, {
        where: `group ${group}`,
        hint: 'commit only between start() and stop()',
      });
    }
    for (const o of offsets) {
      if (!Number.isSafeInteger(o.offset) || o.offset < 0) {
        throw new TaneError('USAGE', `invalid offset ${o.offset} for ${describeTp(o)}`, {
          where: `group ${group}`,
          hint: 'commit the next offset to read: the last processed offset + 1',
        });
      }
    }
    const owned = offsets.filter((o) => this.partitions.has(keyOf(o)));
    const notOwned = offsets.filter((o) => !this.partitions.has(keyOf(o)));
    if (owned.length > 0) {
      try {
        // kafkajs commits exactly what it is given: the next offset to read, as the interface wants.
        await this.consumer.commitOffsets(
          owned.map((o) => ({ topic: o.topic, partition: o.partition, offset: String(o.offset) })),
        );
      } catch (err) {
        throw toKafkaError(err, {
          brokers: this.settings.brokers,
          action: `committing offsets of group ${group}`,
          where: `group ${group}`,
        });
      }
    }
    if (notOwned.length > 0) {
      throw new TaneError(
        'GROUP_LOCKED',
        `refused to commit ${notOwned.map(describeTp).join(', ')}: no longer owned by this member of group ${group} (revoked in a rebalance)`,
        {
          where: `group ${group}`,
          hint: 'drop the work of revoked partitions; their new owner continues from the last committed offset',
        },
      );
    }
  }

  private async commitInTransaction(
    tx: KafkaTransactionSettings,
    messages: OutgoingMessage[],
    offsets: Array<TopicPartition & { offset: number }>,
  ): Promise<void> {
    const { group } = this.settings;
    if (this.state !== 'running') {
      throw new TaneError('TRANSPORT_ERROR', `cannot commit: the member of group ${group} is ${this.state}`, {
        where: `group ${group}`,
        hint: 'commit only between start() and stop()',
      });
    }
    if (offsets.length === 0) {
      throw new TaneError('USAGE', 'commitWithOutputs needs the offset of the source partition', {
        where: `group ${group}`,
        hint: 'pass [{ topic, partition, offset }]: the next offset to read of the partition the outputs came from',
      });
    }
    if (new Set(offsets.map(keyOf)).size !== offsets.length) {
      throw new TaneError('USAGE', 'commitWithOutputs names a partition twice', {
        where: `group ${group}`,
        hint: 'give each partition once, with its next offset to read',
      });
    }
    for (const o of offsets) {
      if (!Number.isSafeInteger(o.offset) || o.offset < 0) {
        throw new TaneError('USAGE', `invalid offset ${o.offset} for ${describeTp(o)}`, {
          where: `group ${group}`,
          hint: 'commit the next offset to read: the last processed offset + 1',
        });
      }
    }
    const states = offsets.map((o) => this.partitions.get(keyOf(o)));
    const notOwned = offsets.find((_, i) => !states[i] || states[i]!.revoked);
    if (notOwned) throw this.notOwned(notOwned);
    // One source partition per call is the design: each has its own transactional
    // id. A call naming several (an engine committing everything at once) is one
    // transaction under the first one's id: atomic, but fenced through that
    // partition only.
    const st = states[0]!;
    const unknown = [...new Set(messages.map((m) => m.topic))].filter((t) => !this.knownTopics.has(t));
    if (unknown.length > 0) {
      await tx.checkTopics(unknown);
      for (const t of unknown) this.knownTopics.add(t);
    }
    // kafkajs runs one transaction at a time per producer; partitions do not wait for each other.
    const run = (): Promise<void> => this.runTransaction(tx, st, messages, offsets);
    const result = st.transactions.then(run, run);
    st.transactions = result.catch(() => {});
    return result;
  }

  /** One transaction of a partition, tried again (bounded) after an abort that went through. */
  private async runTransaction(
    tx: KafkaTransactionSettings,
    st: PartitionState,
    messages: OutgoingMessage[],
    offsets: Array<TopicPartition & { offset: number }>,
  ): Promise<void> {
    const where = `${describeTp(st.tp)}, group ${this.settings.group}`;
    const offset = offsets[0]!.offset;
    let retryInPlace = false;
    try {
      await withRetries(
        TRANSACTION_RETRY,
        async () => {
          retryInPlace = false;
          if (st.revoked || this.state !== 'running') throw this.notOwned(st.tp);
          const lost = offsets.find((o) => this.partitions.get(keyOf(o))?.revoked !== false);
          if (lost) throw this.notOwned(lost);
          const writer = await this.writerFor(tx, st, offset);
          if (writer === 'committed') return;
          try {
            await writer.commit(messages, offsets);
          } catch (err) {
            const failure = err instanceof TransactionFailed ? err.failure : 'unusable';
            const cause = err instanceof TransactionFailed ? err.cause : err;
            const fenced = isFencedError(cause);
            if (fenced || failure === 'unusable') {
              this.loseWriter(st, { fenced, unknownOffset: fenced ? undefined : offset });
            }
            if (fenced) throw this.fencedError(st.tp, cause);
            const mapped = toKafkaError(cause, {
              brokers: this.settings.brokers,
              action: `committing a transaction for ${where}`,
              where,
            });
            // Nothing of it is visible: try the whole transaction again, or, when
            // the writer is gone, again once it is settled (writerFor waits for that).
            retryInPlace = mapped.retryable || isConcurrentTransactionError(cause);
            throw mapped;
          }
        },
        () => retryInPlace && !st.revoked && this.state === 'running',
      );
    } catch (err) {
      // Another operation on the transactional id never finished: someone else is using it.
      if (isConcurrentTransactionError(err)) throw this.fencedError(st.tp, err);
      throw err;
    }
  }

  /**
   * The partition's writer. After one was lost, a new one is made only when
   * heartbeats prove the membership (otherwise it would fence a newer owner);
   * its `InitProducerId` settles the lost one's last transaction, and
   * `'committed'` says that transaction had committed what is asked for now.
   */
  private async writerFor(
    tx: KafkaTransactionSettings,
    st: PartitionState,
    offset: number,
  ): Promise<TransactionalWriter | 'committed'> {
    const lost = st.writerLost;
    if (!lost) {
      if (!st.writer) throw this.notOwned(st.tp);
      return st.writer;
    }
    // A fenced writer gets no grace: its newer owner is probably running. Waiting
    // on heartbeats is for a writer lost to an unknown outcome.
    const confirmed = await this.membershipConfirmed(
      st,
      lost.heartbeats + HEARTBEATS_TO_CONFIRM,
      lost.fenced ? 0 : this.settings.sessionTimeoutMs + 2 * this.settings.heartbeatIntervalMs,
    );
    if (st.revoked || this.state !== 'running') throw this.notOwned(st.tp);
    if (!confirmed) {
      if (lost.fenced) throw this.fencedError(st.tp, undefined);
      throw new TaneError(
        'TRANSPORT_ERROR',
        `the transaction of ${describeTp(st.tp)} failed with an unknown outcome, and the group membership could not be confirmed since`,
        {
          where: `${describeTp(st.tp)}, group ${this.settings.group}`,
          hint: 'commit again later; once the brokers answer heartbeats the outcome is settled',
          retryable: true,
        },
      );
    }
    const writer = this.newWriter(tx, st);
    await writer;
    const committed = await tx.committedOffset(st.tp);
    const unknownOffset = lost.unknownOffset;
    st.writerLost = undefined;
    if (unknownOffset !== undefined && committed !== undefined && committed >= unknownOffset) {
      if (committed === offset) return 'committed';
      // The lost transaction committed, and this call asks for something else:
      // part of it is already written, and only a fresh start can tell which.
      const err = new TaneError(
        'TRANSPORT_ERROR',
        `a transaction of ${describeTp(st.tp)} whose answer was lost had committed offset ${committed}, and the next commit asks for ${offset}`,
        {
          where: `${describeTp(st.tp)}, group ${this.settings.group}`,
          hint: 'restart the worker: it continues from the committed offset, without duplicates',
        },
      );
      this.fail(err);
      throw err;
    }
    return writer;
  }

  /** A writer for the partition, initialised (fencing every older one); stored on the partition. */
  private newWriter(tx: KafkaTransactionSettings, st: PartitionState): Promise<TransactionalWriter> {
    const writer = new TransactionalWriter(tx.kafka, {
      source: { group: this.settings.group, ...st.tp },
      transactionTimeoutMs: tx.transactionTimeoutMs,
    });
    const ready = withRetries(
      INIT_RETRY,
      () => writer.init(),
      (err) => !isFencedError(err) && toKafkaError(err, { brokers: '', action: '' }).retryable,
    ).then(
      () => writer,
      async (err: unknown) => {
        await writer.close();
        throw toKafkaError(err, {
          brokers: this.settings.brokers,
          action: `initialising the transactional producer ${writer.transactionalId}`,
          where: `${describeTp(st.tp)}, group ${this.settings.group}`,
        });
      },
    );
    st.writer = ready;
    // Not a failure of its own: whoever awaits the writer sees the error.
    ready.catch(() => {});
    return ready;
  }

  private loseWriter(st: PartitionState, how: { fenced: boolean; unknownOffset: number | undefined }): void {
    const previous = st.writerLost;
    st.writerLost = {
      heartbeats: this.heartbeats,
      fenced: how.fenced,
      unknownOffset: how.unknownOffset ?? previous?.unknownOffset,
    };
    this.retireWriter(st);
  }

  /** Closes the partition's writer after its running transaction. */
  private retireWriter(st: PartitionState): void {
    const writer = st.writer;
    st.writer = undefined;
    if (!writer) return;
    const done = st.transactions
      .then(() => writer)
      .then(
        (w) => w.close(),
        () => {},
      )
      .finally(() => this.closing.delete(done));
    this.closing.add(done);
  }

  /** True once the heartbeat count reaches `target` while the partition stays owned; waits up to `waitMs`. */
  private async membershipConfirmed(st: PartitionState, target: number, waitMs: number): Promise<boolean> {
    const deadline = Date.now() + waitMs;
    while (this.heartbeats < target) {
      const left = deadline - Date.now();
      if (left <= 0 || st.revoked || this.state !== 'running') return false;
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          this.heartbeatWaiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.heartbeatWaiters.add(wake);
      });
    }
    return !st.revoked && this.state === 'running';
  }

  private wakeHeartbeatWaiters(): void {
    for (const wake of [...this.heartbeatWaiters]) wake();
  }

  private notOwned(tp: TopicPartition): TaneError {
    const { group } = this.settings;
    return new TaneError(
      'GROUP_LOCKED',
      `refused to commit ${describeTp(tp)}: no longer owned by this member of group ${group} (revoked in a rebalance)`,
      {
        where: `group ${group}`,
        hint: 'drop the work of revoked partitions; their new owner continues from the last committed offset',
      },
    );
  }

  private fencedError(tp: TopicPartition, cause: unknown): TaneError {
    const { group } = this.settings;
    return new TaneError(
      'GROUP_LOCKED',
      `refused to commit ${describeTp(tp)}: another member of group ${group} took the partition over and fenced this member's transactions; nothing of this commit is visible`,
      {
        where: `${describeTp(tp)}, group ${group}`,
        hint: 'drop the work of this partition; its new owner continues from the last committed offset',
        ...(cause === undefined ? {} : { cause }),
      },
    );
  }

  pause(partitions: TopicPartition[]): void {
    for (const tp of partitions) {
      const st = this.partitions.get(keyOf(tp));
      if (!st) continue;
      st.userPaused = true;
      this.syncPause(st);
    }
  }

  resume(partitions: TopicPartition[]): void {
    for (const tp of partitions) {
      const st = this.partitions.get(keyOf(tp));
      if (!st) continue;
      st.userPaused = false;
      this.syncPause(st);
      this.kick(st);
    }
  }

  assignment(): TopicPartition[] {
    return [...this.partitions.values()]
      .map((st) => st.tp)
      .sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    const wasOpen = this.state !== 'failed';
    this.state = 'stopped';
    for (const st of this.partitions.values()) {
      st.revoked = true;
      st.queue.length = 0;
      st.bytes = 0;
      this.retireWriter(st);
    }
    this.partitions.clear();
    this.wakeHeartbeatWaiters();
    this.firstJoinDone?.();
    if (wasOpen) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all([
          this.consumer.disconnect().catch((err: unknown) => {
            this.log.warn('leaving the group failed', { error: redactSecrets(String(err)) });
          }),
          Promise.all([...this.closing]),
        ]),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, STOP_DEADLINE_MS);
        }),
      ]);
      clearTimeout(timer);
      this.onClose();
    }
  }

  // ----- kafkajs callbacks ---------------------------------------------------

  private onHeartbeat(memberId: string): void {
    if (memberId !== this.memberId) return;
    this.heartbeats++;
    this.wakeHeartbeatWaiters();
  }

  /**
   * A fetched batch that kafkajs does not hand to eachBatch: every record in it
   * is a transaction marker or aborted. Its last offset becomes a position
   * marker, so the committed offset can reach the partition's end.
   */
  private onFilteredBatch(topic: string, partition: number, lastOffset: string | number): void {
    const st = this.partitions.get(keyOf({ topic, partition }));
    if (!st || st.revoked || this.state !== 'running') return;
    const last = Number(lastOffset);
    if (!Number.isSafeInteger(last) || (st.position !== undefined && last < st.position)) return;
    st.queue.push(positionMarker(topic, partition, last));
    st.position = last + 1;
    this.kick(st);
  }

  private onGroupJoin(memberId: string, memberAssignment: Record<string, number[]>): void {
    if (this.state === 'stopped' || this.state === 'failed') return;
    const assigned: TopicPartition[] = Object.entries(memberAssignment).flatMap(([topic, ps]) =>
      ps.map((partition) => ({ topic, partition })),
    );
    // The same member id means the membership never lapsed, so nobody else
    // can have owned a kept partition in between.
    const sameMember = this.memberId !== undefined && memberId === this.memberId;
    this.memberId = memberId;
    this.outageSince = undefined;
    const next = new Set(assigned.map(keyOf));
    const revoked = [...this.partitions.values()].filter((st) => !sameMember || !next.has(st.key));
    for (const st of revoked) this.dropPartition(st);
    const added: PartitionState[] = [];
    for (const tp of assigned) {
      const kept = this.partitions.get(keyOf(tp));
      if (kept) {
        // kafkajs restarts every partition from its committed offset after a
        // rebalance; a kept one continues after what was already fetched instead.
        if (kept.position !== undefined) this.seek(tp, kept.position);
        continue;
      }
      const st: PartitionState = {
        tp,
        key: keyOf(tp),
        queue: [],
        bytes: 0,
        position: undefined,
        ready: false,
        delivering: false,
        userPaused: false,
        flowPaused: false,
        kafkaPaused: false,
        revoked: false,
        writer: undefined,
        writerLost: undefined,
        transactions: Promise.resolve(),
      };
      this.partitions.set(st.key, st);
      added.push(st);
      const start = this.settings.startOffset?.(tp);
      if (start !== undefined) this.seek(tp, start);
    }
    this.log.debug('joined the group', {
      memberId,
      assigned: assigned.map(describeTp),
      revoked: revoked.map((s) => describeTp(s.tp)),
    });
    const first = this.state === 'starting';
    if (first) this.state = 'running';
    const tx = this.settings.transactions;
    this.notify(async () => {
      if (revoked.length > 0) await this.handlers?.onRevoked?.(revoked.map((s) => s.tp));
      if (tx && added.length > 0) {
        try {
          await Promise.all(added.map((st) => this.takeOver(tx, st)));
        } catch (err) {
          this.fail(err);
          return;
        }
      }
      if (added.length > 0 || first) await this.handlers?.onAssigned?.(added.map((s) => s.tp));
      for (const st of added) {
        st.ready = true;
        this.kick(st);
      }
    });
    if (first) void this.notifications.then(() => this.firstJoinDone?.());
  }

  /**
   * Zombie fencing, before a partition handed to this member delivers anything:
   * its transactional producer's `InitProducerId` fences the previous owner's
   * and aborts a transaction it left open. A transaction that owner committed
   * after the assignment was computed moved the committed offset, so the
   * partition starts again from the committed offset read now, not from where
   * kafkajs began fetching.
   */
  private async takeOver(tx: KafkaTransactionSettings, st: PartitionState): Promise<void> {
    if (st.revoked) return;
    let committed: number | undefined;
    try {
      await this.newWriter(tx, st);
      if (!st.revoked) committed = await tx.committedOffset(st.tp);
    } catch (err) {
      // Gone meanwhile (another rebalance, stop): its failure no longer matters.
      if (st.revoked) return;
      throw err;
    } finally {
      // Revoked while its producer was being set up: dropPartition found none to close.
      if (st.revoked) this.retireWriter(st);
    }
    if (st.revoked || committed === undefined) return;
    st.queue.length = 0;
    st.bytes = 0;
    st.position = committed;
    if (st.flowPaused) {
      st.flowPaused = false;
      this.syncPause(st);
    }
    this.seek(st.tp, committed);
  }

  private onCrash(error: Error, restart: boolean): void {
    if (this.state === 'stopped' || this.state === 'failed') return;
    if (this.state === 'starting' || this.state === 'new') {
      this.startError = error;
      return;
    }
    // The kafkajs member is gone (it disconnected before reporting the crash):
    // nothing it owned is ours any more.
    const lost = [...this.partitions.values()];
    for (const st of lost) this.dropPartition(st);
    this.memberId = undefined;
    if (lost.length > 0) this.notify(async () => this.handlers?.onRevoked?.(lost.map((s) => s.tp)));
    if (restart) {
      this.log.warn('Kafka consumer crashed; rejoining the group', { error: redactSecrets(error.message) });
      return;
    }
    this.fail(error);
  }

  private async onBatch({ batch }: EachBatchPayload): Promise<void> {
    const st = this.partitions.get(keyOf(batch));
    if (!st || st.revoked || this.state !== 'running') return;
    const from = st.position;
    let lastQueued = from === undefined ? -1 : from - 1;
    for (const m of batch.messages) {
      const msg = toConsumedMessage(batch.topic, batch.partition, m);
      // After a rebalance kafkajs may fetch again what is already buffered or delivered.
      if (from !== undefined && msg.offset < from) continue;
      st.queue.push(msg);
      st.bytes += msg.value.length;
      lastQueued = msg.offset;
    }
    // The batch's last offset counts transaction markers (and aborted records);
    // past the last record, it is a position marker.
    const last = Number(batch.lastOffset());
    if (last > lastQueued) st.queue.push(positionMarker(batch.topic, batch.partition, last));
    st.position = Math.max(st.position ?? 0, last + 1);
    if (st.bytes >= this.settings.maxBufferedBytes && !st.flowPaused) {
      st.flowPaused = true;
      this.syncPause(st);
    }
    this.kick(st);
  }

  // ----- delivery ------------------------------------------------------------

  private kick(st: PartitionState): void {
    if (st.delivering || !st.ready || st.revoked || st.userPaused || st.queue.length === 0) return;
    if (this.state !== 'running') return;
    st.delivering = true;
    void this.deliver(st);
  }

  private async deliver(st: PartitionState): Promise<void> {
    const lowWater = Math.floor(this.settings.maxBufferedBytes / 2);
    let current: ConsumedMessage | undefined;
    try {
      while (!st.revoked && !st.userPaused && this.state === 'running' && st.queue.length > 0) {
        current = st.queue.shift()!;
        st.bytes -= current.value.length;
        if (st.flowPaused && st.bytes <= lowWater) {
          st.flowPaused = false;
          this.syncPause(st);
        }
        await this.handlers!.onMessage(current);
      }
    } catch (err) {
      st.delivering = false;
      const at = current ? `${current.topic}/${current.partition}@${current.offset}` : describeTp(st.tp);
      this.fail(
        new TaneError('TRANSPORT_ERROR', `onMessage failed at ${at}: ${redactSecrets(String(err))}`, {
          where: at,
          hint: 'onMessage must not throw: handle the record (or dead-letter it) and resolve',
          cause: err,
        }),
      );
      return;
    }
    st.delivering = false;
    if (!st.revoked && st.flowPaused && st.bytes <= lowWater) {
      st.flowPaused = false;
      this.syncPause(st);
    }
    this.kick(st);
  }

  // ----- helpers -------------------------------------------------------------

  private syncPause(st: PartitionState): void {
    const want = !st.revoked && (st.userPaused || st.flowPaused);
    if (want === st.kafkaPaused) return;
    const target = [{ topic: st.tp.topic, partitions: [st.tp.partition] }];
    try {
      if (want) this.consumer.pause(target);
      else this.consumer.resume(target);
      st.kafkaPaused = want;
    } catch {
      // kafkajs has no member right now (crash, restart); the next join starts unpaused.
      st.kafkaPaused = false;
    }
  }

  private dropPartition(st: PartitionState): void {
    st.revoked = true;
    st.queue.length = 0;
    st.bytes = 0;
    this.partitions.delete(st.key);
    this.retireWriter(st);
    this.wakeHeartbeatWaiters();
    // kafkajs keeps its pause flags across rebalances; a partition that comes
    // back later must not come back paused.
    if (st.kafkaPaused) {
      try {
        this.consumer.resume([{ topic: st.tp.topic, partitions: [st.tp.partition] }]);
      } catch {
        // no kafkajs member at the moment: nothing to resume
      }
      st.kafkaPaused = false;
    }
  }

  private seek(tp: TopicPartition, offset: number): void {
    try {
      this.consumer.seek({ topic: tp.topic, partition: tp.partition, offset: String(offset) });
    } catch (err) {
      this.log.warn('could not position a partition', {
        partition: describeTp(tp),
        offset,
        error: String(err),
      });
    }
  }

  private notify(fn: () => Promise<void> | void): void {
    this.notifications = this.notifications.then(fn).catch((err: unknown) => {
      this.log.error('an onAssigned/onRevoked handler failed', { error: redactSecrets(String(err)) });
    });
  }

  private fail(error: unknown): void {
    if (this.state === 'stopped' || this.state === 'failed') return;
    this.state = 'failed';
    const err = toKafkaError(error, {
      brokers: this.settings.brokers,
      action: `consuming as group ${this.settings.group}`,
      where: `group ${this.settings.group}`,
    });
    for (const st of this.partitions.values()) {
      st.revoked = true;
      st.queue.length = 0;
      st.bytes = 0;
      this.retireWriter(st);
    }
    this.partitions.clear();
    this.wakeHeartbeatWaiters();
    this.log.error('the group member stopped', { error: err.message });
    void this.consumer
      .disconnect()
      .catch(() => {})
      .finally(() => this.onClose());
    this.handlers?.onError?.(err);
  }
}
