import { type OutgoingMessage, TaneError, type TopicPartition } from '@tane/core';
import type { Kafka } from 'kafkajs';
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

/** The transactional state of one owned source partition. */
export interface TransactionalPartition {
  readonly tp: TopicPartition;
  /** Set once the partition is no longer this member's; its commits are refused from then on. */
  revoked: boolean;
  /** The partition's transactional writer once its `InitProducerId` went through. */
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

/** What the transactions need of the group member they belong to. */
export interface TransactionHost {
  readonly group: string;
  readonly brokers: string;
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  /** The member is between start() and stop() and has not failed. */
  running(): boolean;
  /** The state of a partition this member holds now (revoked or not), if any. */
  partition(tp: TopicPartition): TransactionalPartition | undefined;
  /** Stops the member for good, reporting `error` through `onError`. */
  fail(error: unknown): void;
}

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
export const describeTp = (tp: TopicPartition): string => `${tp.topic}/${tp.partition}`;

/** The error of a commit for a partition this member of `group` no longer owns. */
export function notOwnedError(group: string, partitions: TopicPartition[]): TaneError {
  return new TaneError(
    'GROUP_LOCKED',
    `refused to commit ${partitions.map(describeTp).join(', ')}: no longer owned by this member of group ${group} (revoked in a rebalance)`,
    {
      where: `group ${group}`,
      hint: 'drop the work of revoked partitions; their new owner continues from the last committed offset',
    },
  );
}

/** Refuses an offset that is not a next-offset-to-read. */
export function checkOffsets(group: string, offsets: Array<TopicPartition & { offset: number }>): void {
  for (const o of offsets) {
    if (!Number.isSafeInteger(o.offset) || o.offset < 0) {
      throw new TaneError('USAGE', `invalid offset ${o.offset} for ${describeTp(o)}`, {
        where: `group ${group}`,
        hint: 'commit the next offset to read: the last processed offset + 1',
      });
    }
  }
}

/**
 * The transactions of a group member: one transactional producer per owned
 * source partition (its transactional id derived from group, topic and
 * partition), zombie fencing on take-over, and commits of outputs together
 * with the partition's next offset.
 */
export class PartitionTransactions {
  /** Successful heartbeats of this member. */
  private heartbeats = 0;
  private readonly heartbeatWaiters = new Set<() => void>();
  /** Writers being closed, awaited by `closed()`. */
  private readonly closing = new Set<Promise<void>>();
  /** Output topics seen to exist. */
  private readonly knownTopics = new Set<string>();

  constructor(
    private readonly tx: KafkaTransactionSettings,
    private readonly host: TransactionHost,
  ) {}

  /** A heartbeat of the current membership went through. */
  heartbeat(): void {
    this.heartbeats++;
    this.wake();
  }

  /** Wakes commits waiting for heartbeats, so they see a revocation or a stop at once. */
  wake(): void {
    for (const wake of [...this.heartbeatWaiters]) wake();
  }

  /** Resolves when every retired writer is closed. */
  async closed(): Promise<void> {
    await Promise.all([...this.closing]);
  }

  /** Writes outputs and commits the partitions' next offsets in one transaction (`commitWithOutputs`). */
  async commit(
    messages: OutgoingMessage[],
    offsets: Array<TopicPartition & { offset: number }>,
  ): Promise<void> {
    const { group } = this.host;
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
    checkOffsets(group, offsets);
    const states = offsets.map((o) => this.host.partition(o));
    const notOwned = offsets.find((_, i) => !states[i] || states[i]!.revoked);
    if (notOwned) throw notOwnedError(group, [notOwned]);
    // One source partition per call is the design: each has its own transactional
    // id. A call naming several (an engine committing everything at once) is one
    // transaction under the first one's id: atomic, but fenced through that
    // partition only.
    const st = states[0]!;
    const unknown = [...new Set(messages.map((m) => m.topic))].filter((t) => !this.knownTopics.has(t));
    if (unknown.length > 0) {
      await this.tx.checkTopics(unknown);
      for (const t of unknown) this.knownTopics.add(t);
    }
    // kafkajs runs one transaction at a time per producer; partitions do not wait for each other.
    const run = (): Promise<void> => this.runTransaction(st, messages, offsets);
    const result = st.transactions.then(run, run);
    st.transactions = result.catch(() => {});
    return result;
  }

  /**
   * Zombie fencing, before a partition handed to this member delivers anything:
   * its transactional producer's `InitProducerId` fences the previous owner's
   * and aborts a transaction it left open. Returns the committed offset read
   * after that (a transaction the previous owner committed after the assignment
   * was computed moved it), or `undefined` when there is none or the partition
   * was revoked meanwhile.
   */
  async takeOver(st: TransactionalPartition): Promise<number | undefined> {
    if (st.revoked) return undefined;
    try {
      await this.newWriter(st);
      return st.revoked ? undefined : await this.tx.committedOffset(st.tp);
    } catch (err) {
      // Gone meanwhile (another rebalance, stop): its failure no longer matters.
      if (st.revoked) return undefined;
      throw err;
    } finally {
      // Revoked while its producer was being set up: whoever dropped it found none to close.
      if (st.revoked) this.retire(st);
    }
  }

  /** Closes the partition's writer after its running transaction. */
  retire(st: TransactionalPartition): void {
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

  /** One transaction of a partition, tried again (bounded) after an abort that went through. */
  private async runTransaction(
    st: TransactionalPartition,
    messages: OutgoingMessage[],
    offsets: Array<TopicPartition & { offset: number }>,
  ): Promise<void> {
    const where = `${describeTp(st.tp)}, group ${this.host.group}`;
    const offset = offsets[0]!.offset;
    let retryInPlace = false;
    try {
      await withRetries(
        TRANSACTION_RETRY,
        async () => {
          retryInPlace = false;
          if (st.revoked || !this.host.running()) throw this.notOwned(st.tp);
          const lost = offsets.find((o) => this.host.partition(o)?.revoked !== false);
          if (lost) throw this.notOwned(lost);
          const writer = await this.writerFor(st, offset);
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
              brokers: this.host.brokers,
              action: `committing a transaction for ${where}`,
              where,
            });
            // Nothing of it is visible: try the whole transaction again, or, when
            // the writer is gone, again once it is settled (writerFor waits for that).
            retryInPlace = mapped.retryable || isConcurrentTransactionError(cause);
            throw mapped;
          }
        },
        () => retryInPlace && !st.revoked && this.host.running(),
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
    st: TransactionalPartition,
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
      lost.fenced ? 0 : this.host.sessionTimeoutMs + 2 * this.host.heartbeatIntervalMs,
    );
    if (st.revoked || !this.host.running()) throw this.notOwned(st.tp);
    const where = `${describeTp(st.tp)}, group ${this.host.group}`;
    if (!confirmed) {
      if (lost.fenced) throw this.fencedError(st.tp, undefined);
      throw new TaneError(
        'TRANSPORT_ERROR',
        `the transaction of ${describeTp(st.tp)} failed with an unknown outcome, and the group membership could not be confirmed since`,
        {
          where,
          hint: 'commit again later; once the brokers answer heartbeats the outcome is settled',
          retryable: true,
        },
      );
    }
    const writer = this.newWriter(st);
    await writer;
    const committed = await this.tx.committedOffset(st.tp);
    const unknownOffset = lost.unknownOffset;
    st.writerLost = undefined;
    if (unknownOffset !== undefined && committed !== undefined && committed >= unknownOffset) {
      if (committed === offset) return 'committed';
      // The lost transaction committed, and this call asks for something else:
      // part of it is already written, and only a fresh start can tell which.
      const err = new TaneError(
        'TRANSPORT_ERROR',
        `a transaction of ${describeTp(st.tp)} whose answer was lost had committed offset ${committed}, and the next commit asks for ${offset}`,
        { where, hint: 'restart the worker: it continues from the committed offset, without duplicates' },
      );
      this.host.fail(err);
      throw err;
    }
    return writer;
  }

  /** A writer for the partition, initialised (fencing every older one); stored on the partition. */
  private newWriter(st: TransactionalPartition): Promise<TransactionalWriter> {
    const writer = new TransactionalWriter(this.tx.kafka, {
      source: { group: this.host.group, ...st.tp },
      transactionTimeoutMs: this.tx.transactionTimeoutMs,
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
          brokers: this.host.brokers,
          action: `initialising the transactional producer ${writer.transactionalId}`,
          where: `${describeTp(st.tp)}, group ${this.host.group}`,
        });
      },
    );
    st.writer = ready;
    // Not a failure of its own: whoever awaits the writer sees the error.
    ready.catch(() => {});
    return ready;
  }

  private loseWriter(
    st: TransactionalPartition,
    how: { fenced: boolean; unknownOffset: number | undefined },
  ) {
    const previous = st.writerLost;
    st.writerLost = {
      heartbeats: this.heartbeats,
      fenced: how.fenced,
      unknownOffset: how.unknownOffset ?? previous?.unknownOffset,
    };
    this.retire(st);
  }

  /** True once the heartbeat count reaches `target` while the partition stays owned; waits up to `waitMs`. */
  private async membershipConfirmed(
    st: TransactionalPartition,
    target: number,
    waitMs: number,
  ): Promise<boolean> {
    const deadline = Date.now() + waitMs;
    while (this.heartbeats < target) {
      const left = deadline - Date.now();
      if (left <= 0 || st.revoked || !this.host.running()) return false;
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
    return !st.revoked && this.host.running();
  }

  private notOwned(tp: TopicPartition): TaneError {
    return notOwnedError(this.host.group, [tp]);
  }

  private fencedError(tp: TopicPartition, cause: unknown): TaneError {
    const { group } = this.host;
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
}
