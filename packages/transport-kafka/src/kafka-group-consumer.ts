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
import { toKafkaError } from './kafka-error.ts';
import {
  checkOffsets,
  describeTp,
  type KafkaTransactionSettings,
  notOwnedError,
  PartitionTransactions,
  type TransactionalPartition,
} from './partition-transactions.ts';

export type { KafkaTransactionSettings } from './partition-transactions.ts';

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

interface PartitionState extends TransactionalPartition {
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
}

type State = 'new' | 'starting' | 'running' | 'stopped' | 'failed';

const STOP_DEADLINE_MS = 30_000;

const keyOf = (tp: TopicPartition): string => `${tp.topic}\u0000${tp.partition}`;

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
  /** The partitions' transactions, when the transport has them on. */
  private readonly transactions: PartitionTransactions | undefined;

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
      const transactions = new PartitionTransactions(settings.transactions, {
        group: settings.group,
        brokers: settings.brokers,
        sessionTimeoutMs: settings.sessionTimeoutMs,
        heartbeatIntervalMs: settings.heartbeatIntervalMs,
        running: () => this.state === 'running',
        partition: (tp) => this.partitions.get(keyOf(tp)),
        fail: (err) => this.fail(err),
      });
      this.transactions = transactions;
      this.commitWithOutputs = async (messages, offsets) => {
        this.checkRunning();
        return transactions.commit(messages, offsets);
      };
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
    this.checkRunning();
    checkOffsets(group, offsets);
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
    if (notOwned.length > 0) throw notOwnedError(group, notOwned);
  }

  private checkRunning(): void {
    if (this.state === 'running') return;
    const { group } = this.settings;
    throw new TaneError('TRANSPORT_ERROR', `cannot commit: the member of group ${group} is ${this.state}`, {
      where: `group ${group}`,
      hint: 'commit only between start() and stop()',
    });
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
      this.transactions?.retire(st);
    }
    this.partitions.clear();
    this.transactions?.wake();
    this.firstJoinDone?.();
    if (wasOpen) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all([
          this.consumer.disconnect().catch((err: unknown) => {
            this.log.warn('leaving the group failed', { error: redactSecrets(String(err)) });
          }),
          this.transactions?.closed(),
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
    this.transactions?.heartbeat();
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
    const tx = this.transactions;
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
   * Fences the previous owner of a partition handed to this member, before it
   * delivers anything. A transaction that owner committed after the assignment
   * was computed moved the committed offset, so the partition starts again from
   * the committed offset read now, not from where kafkajs began fetching.
   */
  private async takeOver(tx: PartitionTransactions, st: PartitionState): Promise<void> {
    const committed = await tx.takeOver(st);
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
    this.transactions?.retire(st);
    this.transactions?.wake();
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
      this.transactions?.retire(st);
    }
    this.partitions.clear();
    this.transactions?.wake();
    this.log.error('the group member stopped', { error: err.message });
    void this.consumer
      .disconnect()
      .catch(() => {})
      .finally(() => this.onClose());
    this.handlers?.onError?.(err);
  }
}
