import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import {
  type ConsumedMessage,
  type ConsumerHandlers,
  type ConsumerOptions,
  type GroupConsumer,
  type Logger,
  type OutgoingMessage,
  TaneError,
  type TopicPartition,
  toTaneError,
} from '@tane/core';
import { announceGroup, announceTopics, type ChangeFeed, onGroupChange } from './change-feed.ts';
import {
  type GroupStore,
  type MemberIdentity,
  type PartitionRef,
  partitionKey,
  registerLiveMember,
  unregisterLiveMember,
} from './group-store.ts';
import type { LocalStore } from './local-store.ts';

/** Rows read per partition per query. */
const FETCH_BATCH = 500;

export interface ConsumerSettings {
  leaseTimeoutMs: number;
  heartbeatIntervalMs: number;
}

/** What a consumer needs from the transport that made it. */
export interface ConsumerContext {
  store: LocalStore;
  groups: GroupStore;
  feed: ChangeFeed;
  logger: Logger;
  settings: ConsumerSettings;
  onStopped(consumer: LocalGroupConsumer): void;
}

/** Delivers one partition, one message at a time, for as long as this member owns it. */
class PartitionRunner {
  readonly key: string;
  inFlight: Promise<void> | undefined;
  private stopped = false;
  private started = false;
  private readonly abort = new AbortController();
  private wakeUp: (() => void) | undefined;
  /**
   * The last fetched rows and the next one to deliver. A delivered row's slot
   * is emptied: its value (the serialized record, a few KB) is the engine's
   * to keep or drop, not the batch's until the next fetch.
   */
  private batch: (ReturnType<LocalStore['fetch']>[number] | undefined)[] = [];
  private batchAt = 0;

  constructor(
    private readonly consumer: LocalGroupConsumer,
    readonly ref: PartitionRef,
    private position = 0,
  ) {
    this.key = partitionKey(ref.topic.name, ref.partition);
  }

  start(position: number): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.position = position;
    this.loop().catch((err: unknown) => {
      if (!this.stopped) this.consumer.fail(toTaneError(err, 'TRANSPORT_ERROR'));
    });
  }

  stop(): void {
    this.stopped = true;
    this.abort.abort();
    this.nudge();
  }

  /** Wakes a paused runner so it looks again (after `resume` or `stop`). */
  nudge(): void {
    const wake = this.wakeUp;
    this.wakeUp = undefined;
    wake?.();
  }

  private async loop(): Promise<void> {
    const consumer = this.consumer;
    const { topic, partition } = this.ref;
    while (!this.stopped) {
      if (consumer.isPaused(this.key)) {
        await new Promise<void>((resolve) => {
          this.wakeUp = resolve;
        });
        continue;
      }
      if (consumer.leaseIsStale()) {
        await consumer.renewLease(this.abort.signal);
        continue;
      }
      // A batch interrupted by a pause (the engine's in-flight cap) goes on where it stopped
      // instead of being fetched again: rows at an offset never change.
      if (this.batchAt >= this.batch.length || this.batch[this.batchAt]!.offset !== this.position) {
        try {
          this.batch = consumer.store.fetch(topic, partition, this.position, FETCH_BATCH);
          this.batchAt = 0;
        } catch (err) {
          if (!this.stopped) consumer.fail(toTaneError(err, 'TRANSPORT_ERROR'));
          return;
        }
      }
      if (this.batch.length === 0) {
        await consumer.feed.wait(topic.name, this.abort.signal);
        continue;
      }
      while (this.batchAt < this.batch.length) {
        if (this.stopped || consumer.isPaused(this.key) || consumer.leaseIsStale()) break;
        const row = this.batch[this.batchAt]!;
        this.batch[this.batchAt++] = undefined;
        this.position = row.offset + 1;
        const message: ConsumedMessage = {
          topic: topic.name,
          partition,
          offset: row.offset,
          key: row.key,
          value: row.value,
          timestamp: row.timestamp,
        };
        try {
          this.inFlight = consumer.deliver(message);
          await this.inFlight;
        } catch (err) {
          if (!this.stopped) {
            consumer.fail(
              new TaneError('STAGE_ERROR', `onMessage failed: ${(err as Error)?.message ?? String(err)}`, {
                where: `${topic.name}/${partition}@${row.offset}`,
                hint: 'onMessage must handle its own errors (dead-letter the record); the consumer has stopped',
                cause: err,
              }),
            );
          }
          return;
        } finally {
          this.inFlight = undefined;
        }
      }
    }
  }
}

/**
 * A member of a consumer group on the local store. Partitions are leased in the
 * store; see the package README for the protocol.
 */
export class LocalGroupConsumer implements GroupConsumer {
  readonly store: LocalStore;
  readonly feed: ChangeFeed;
  private readonly groups: GroupStore;
  private readonly logger: Logger;
  private readonly settings: ConsumerSettings;
  private readonly memberId: string;
  private member: MemberIdentity | undefined;
  private handlers: ConsumerHandlers | undefined;
  private state: 'new' | 'starting' | 'running' | 'stopped' = 'new';
  private readonly runners = new Map<string, PartitionRunner>();
  private readonly paused = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private stopListening: (() => void) | undefined;
  private lastRenewal = 0;
  private rebalancing: Promise<void> | undefined;
  private rebalanceAgain = false;
  private joinedOnce = false;

  constructor(
    private readonly context: ConsumerContext,
    private readonly options: ConsumerOptions,
  ) {
    this.store = context.store;
    this.feed = context.feed;
    this.groups = context.groups;
    this.settings = context.settings;
    this.memberId = `${options.clientId ?? 'tane'}-${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.logger = context.logger.child({ group: options.group, member: this.memberId });
  }

  async start(handlers: ConsumerHandlers): Promise<void> {
    if (this.state !== 'new') {
      throw new TaneError(
        'TRANSPORT_ERROR',
        `consumer of group '${this.options.group}' was already started`,
        {
          where: `group ${this.options.group}`,
          hint: 'create a new consumer with transport.consumer(...) for each start',
        },
      );
    }
    const topics = this.options.topics.map((name) => this.store.requireTopic(name));
    this.state = 'starting';
    this.handlers = handlers;
    this.member = {
      group: this.options.group,
      memberId: this.memberId,
      clientId: this.options.clientId ?? null,
      topics,
      leaseMs: this.settings.leaseTimeoutMs,
    };
    registerLiveMember(this.memberId);
    this.stopListening = onGroupChange(this.store.file, (group) => {
      if (group === this.options.group) this.rebalance().catch((err) => this.renewalFailed(err));
    });
    // Started before the first rebalance so that a slow onAssigned does not let the lease lapse.
    this.timer = setInterval(() => this.onTimer(), this.settings.heartbeatIntervalMs);
    try {
      await this.rebalance();
    } catch (err) {
      await this.stop();
      throw err;
    }
    if (this.state !== 'starting') return;
    this.state = 'running';
    announceGroup(this.store.file, this.options.group);
  }

  /** The member identity to commit as; commits from a stopped or unstarted consumer are refused. */
  private runningMember(): NonNullable<typeof this.member> {
    if (!this.member || this.state === 'stopped') {
      throw new TaneError(
        'GROUP_LOCKED',
        `refused to commit for group '${this.options.group}': this consumer ${this.member ? 'has stopped' : 'was not started'}`,
        {
          where: `group ${this.options.group}`,
          hint: 'commit from a running consumer, before calling stop()',
        },
      );
    }
    return this.member;
  }

  async commit(offsets: Array<TopicPartition & { offset: number }>): Promise<void> {
    if (offsets.length === 0) return;
    this.groups.commit(this.runningMember(), offsets);
  }

  /** Writes outputs and commits offsets in one SQLite transaction: all of it, or nothing. */
  async commitWithOutputs(
    messages: OutgoingMessage[],
    offsets: Array<TopicPartition & { offset: number }>,
  ): Promise<void> {
    const member = this.runningMember();
    if (
      offsets.length === 0 ||
      new Set(offsets.map((o) => partitionKey(o.topic, o.partition))).size !== offsets.length
    ) {
      throw new TaneError(
        'USAGE',
        offsets.length === 0
          ? 'commitWithOutputs needs the offset of the source partition'
          : 'commitWithOutputs names a partition twice',
        {
          where: `group ${this.options.group}`,
          hint: 'pass [{ topic, partition, offset }] once per source partition: the next offset to read of the partition the outputs came from',
        },
      );
    }
    // A refused partition throws inside the transaction, so neither outputs nor offsets are written.
    const touched = this.store.write(
      `write outputs and commit offsets of group '${this.options.group}'`,
      () => {
        if (offsets.length > 0) this.groups.commit(member, offsets);
        return this.store.append(messages);
      },
    );
    if (touched.size > 0) announceTopics(this.store.file, touched);
  }

  pause(partitions: TopicPartition[]): void {
    for (const tp of partitions) this.paused.add(partitionKey(tp.topic, tp.partition));
  }

  resume(partitions: TopicPartition[]): void {
    for (const tp of partitions) {
      const key = partitionKey(tp.topic, tp.partition);
      this.paused.delete(key);
      this.runners.get(key)?.nudge();
    }
  }

  assignment(): TopicPartition[] {
    return [...this.runners.values()]
      .map((r) => ({ topic: r.ref.topic.name, partition: r.ref.partition }))
      .sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    const wasJoined = this.member !== undefined;
    this.state = 'stopped';
    if (this.timer) clearInterval(this.timer);
    this.stopListening?.();
    for (const runner of this.runners.values()) runner.stop();
    this.runners.clear();
    unregisterLiveMember(this.memberId);
    if (this.member) {
      try {
        this.groups.leave(this.member);
      } catch (err) {
        this.logger.warn('could not leave the group cleanly; the lease expires on its own', {
          error: (err as Error).message,
        });
      }
    }
    this.context.onStopped(this);
    if (wasJoined) announceGroup(this.store.file, this.options.group);
  }

  /** A method, not a field read, so that checks after an `await` are not narrowed away. */
  isStopped(): boolean {
    return this.state === 'stopped';
  }

  isPaused(key: string): boolean {
    return this.paused.has(key);
  }

  /** True when the lease was last renewed so long ago that another member may soon take it. */
  leaseIsStale(): boolean {
    return Date.now() - this.lastRenewal > this.settings.leaseTimeoutMs / 2;
  }

  /** Renews the lease before delivering more (after the process was stalled). */
  async renewLease(signal: AbortSignal): Promise<void> {
    await this.rebalance().catch((err: unknown) => this.renewalFailed(err));
    if (this.leaseIsStale() && !signal.aborted) {
      await delay(this.settings.heartbeatIntervalMs, undefined, { signal }).catch(() => {});
    }
  }

  deliver(message: ConsumedMessage): Promise<void> {
    // `handlers` is set before any runner exists.
    return this.handlers!.onMessage(message);
  }

  /** Stops the member for good and tells the owner why. */
  fail(error: TaneError): void {
    if (this.state === 'stopped') return;
    this.logger.error('consumer stopped', { code: error.code, error: error.message });
    void this.stop().then(() => this.handlers?.onError?.(error));
  }

  private onTimer(): void {
    if (this.state === 'stopped' || this.state === 'new') return;
    if (this.rebalancing) {
      // A rebalance is waiting on callbacks: keep the lease alive meanwhile.
      try {
        if (this.member && this.groups.heartbeat(this.member)) this.lastRenewal = Date.now();
        else this.rebalanceAgain = true;
      } catch (err) {
        this.renewalFailed(err);
      }
      return;
    }
    this.rebalance().catch((err) => this.renewalFailed(err));
  }

  /** Runs lease renewals one at a time; a request during one runs another right after. */
  private rebalance(): Promise<void> {
    if (this.state === 'stopped') return Promise.resolve();
    if (this.rebalancing) {
      this.rebalanceAgain = true;
      return this.rebalancing;
    }
    this.rebalancing = (async () => {
      try {
        do {
          this.rebalanceAgain = false;
          await this.rebalanceOnce();
        } while (this.rebalanceAgain && this.state !== 'stopped');
      } finally {
        this.rebalancing = undefined;
      }
    })();
    return this.rebalancing;
  }

  private async rebalanceOnce(): Promise<void> {
    const member = this.member;
    if (!member || this.isStopped()) return;
    let result: ReturnType<GroupStore['sync']>;
    try {
      result = this.groups.sync(member);
    } catch (err) {
      if (this.state === 'starting') throw err;
      this.renewalFailed(err);
      return;
    }
    this.lastRenewal = Date.now();
    for (const row of result.expired) {
      this.logger.info('took over the partitions of a member whose lease had expired', {
        expiredMember: row.member_id,
        pid: row.pid,
        hostname: row.hostname,
      });
    }
    if (result.rejoined && this.joinedOnce) {
      this.logger.warn('this member had been presumed dead (its lease expired) and joined the group again');
    }
    this.joinedOnce = true;

    const ownedBefore = new Set(result.ownedBefore.map((r) => partitionKey(r.topic.name, r.partition)));
    const lost = [...this.runners.values()].filter((r) => !ownedBefore.has(r.key));
    if (lost.length > 0) {
      for (const runner of lost) {
        runner.stop();
        this.runners.delete(runner.key);
      }
      this.logger.warn('partitions were taken over by another member', {
        partitions: lost.map((r) => `${r.ref.topic.name}/${r.ref.partition}`),
      });
      await this.callback(
        'onRevoked',
        lost.map((r) => r.ref),
      );
      if (this.isStopped()) return;
    }

    if (result.toRelease.length > 0) {
      const releasing = result.toRelease
        .map((ref) => this.runners.get(partitionKey(ref.topic.name, ref.partition)))
        .filter((r): r is PartitionRunner => r !== undefined);
      for (const runner of releasing) runner.stop();
      await this.settle(releasing);
      if (releasing.length > 0)
        await this.callback(
          'onRevoked',
          releasing.map((r) => r.ref),
        );
      for (const runner of releasing) this.runners.delete(runner.key);
      if (this.isStopped()) return;
      try {
        this.groups.release(member, result.toRelease);
      } catch (err) {
        this.renewalFailed(err);
        return;
      }
      announceGroup(this.store.file, member.group);
    }

    const releasedKeys = new Set(result.toRelease.map((r) => partitionKey(r.topic.name, r.partition)));
    const gained = result.owned.filter((ref) => {
      const key = partitionKey(ref.topic.name, ref.partition);
      return !this.runners.has(key) && !releasedKeys.has(key);
    });
    if (gained.length > 0) {
      const runners = gained.map((ref) => new PartitionRunner(this, ref));
      for (const runner of runners) this.runners.set(runner.key, runner);
      await this.callback('onAssigned', gained);
      if (this.isStopped()) return;
      const positions = this.groups.startPositions(member.group, gained, this.options.start ?? 'earliest');
      for (const runner of runners) {
        if (this.runners.get(runner.key) === runner) runner.start(positions.get(runner.key) ?? 0);
      }
      this.logger.debug('partitions assigned', {
        partitions: runners.map((r) => `${r.ref.topic.name}/${r.ref.partition}@${positions.get(r.key)}`),
      });
    }
  }

  /** Waits for the messages in flight on revoked partitions, but not longer than a lease. */
  private async settle(runners: PartitionRunner[]): Promise<void> {
    const pending = runners.map((r) => r.inFlight).filter((p): p is Promise<void> => p !== undefined);
    if (pending.length === 0) return;
    const timeout = Symbol('timeout');
    const outcome = await Promise.race([
      Promise.allSettled(pending),
      delay(this.settings.leaseTimeoutMs, timeout, { ref: false }),
    ]);
    if (outcome === timeout) {
      this.logger.warn('onMessage did not finish within the lease timeout; releasing the partitions anyway', {
        partitions: runners.map((r) => `${r.ref.topic.name}/${r.ref.partition}`),
        leaseTimeoutMs: this.settings.leaseTimeoutMs,
      });
    }
  }

  private async callback(name: 'onAssigned' | 'onRevoked', refs: PartitionRef[]): Promise<void> {
    const fn = this.handlers?.[name];
    if (!fn) return;
    const partitions = refs.map((r) => ({ topic: r.topic.name, partition: r.partition }));
    try {
      await fn.call(this.handlers, partitions);
    } catch (err) {
      this.logger.error(`${name} failed`, { error: (err as Error)?.message ?? String(err) });
    }
  }

  private renewalFailed(err: unknown): void {
    const error = toTaneError(err, 'TRANSPORT_ERROR');
    const silentFor = Date.now() - this.lastRenewal;
    if (silentFor > this.settings.leaseTimeoutMs) {
      this.fail(
        new TaneError(
          'TRANSPORT_ERROR',
          `lost the lease of group '${this.options.group}': the store was unusable for ${Math.round(silentFor / 1000)} s (${error.message})`,
          {
            where: this.store.path,
            hint: 'check the disk and the processes holding the store, then restart the worker',
            cause: err,
          },
        ),
      );
      return;
    }
    this.logger.warn('could not renew the group lease; retrying', { error: error.message });
  }
}
