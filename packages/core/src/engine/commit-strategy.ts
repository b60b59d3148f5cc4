import { TaneError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { GroupConsumer, OutgoingMessage, Producer } from '../transport.ts';
import type { CommitSlice } from './partition-tracker.ts';

/** What one commit did: slices committed, and slices whose partition had moved to another member. */
export interface CommitResult {
  committed: CommitSlice[];
  /** Nothing of these was committed; their new owner continues from the last committed offset. */
  lost: CommitSlice[];
  /** A failure of some slices while others committed; those are tried again at the next commit. */
  error?: unknown;
}

/**
 * How done offsets and the outputs they hold reach the log. The engine hands
 * over, per source partition, the outputs of the newly done offsets in offset
 * order and the offset to commit; a strategy makes them durable and commits.
 * Both keep every partition's outputs in source-offset order, so a topic's
 * content does not depend on which record finished first.
 */
export interface CommitStrategy {
  /** `exactly-once` when outputs and offsets are committed atomically. */
  readonly mode: 'at-least-once' | 'exactly-once';
  /** For the start line: what a crash can do. */
  readonly description: string;
  commit(slices: CommitSlice[]): Promise<CommitResult>;
  close(): Promise<void>;
}

const isLost = (err: unknown) => err instanceof TaneError && err.code === 'GROUP_LOCKED';

/**
 * Outputs and offsets committed together, in one transaction per source
 * partition (`GroupConsumer.commitWithOutputs`: one SQLite transaction on the
 * local log; a Kafka transaction with the offsets sent to it on Kafka). A crash
 * leaves either both or neither, so every output topic holds each id once.
 */
export class TransactionalCommit implements CommitStrategy {
  readonly mode = 'exactly-once';
  readonly description = 'exactly-once output (outputs and offsets in one transaction)';

  constructor(private readonly consumer: GroupConsumer) {}

  async commit(slices: CommitSlice[]): Promise<CommitResult> {
    const result: CommitResult = { committed: [], lost: [] };
    const outcomes = await Promise.allSettled(
      slices.map((s) =>
        this.consumer.commitWithOutputs!(s.messages, [{ ...s.ps.tp, offset: s.next }]).then(() => s),
      ),
    );
    let failure: unknown;
    outcomes.forEach((o, i) => {
      if (o.status === 'fulfilled') result.committed.push(o.value);
      else if (isLost(o.reason)) result.lost.push(slices[i]!);
      else failure ??= o.reason;
    });
    // What did commit is reported first; a failed slice is tried again at the next commit.
    if (failure !== undefined && result.committed.length === 0 && result.lost.length === 0) throw failure;
    if (failure !== undefined) result.error = failure;
    return result;
  }

  async close(): Promise<void> {}
}

/**
 * Outputs first (durable, in source-offset order), then the offsets. A crash
 * between the two writes the same outputs again on restart — same ids, same
 * content, since a record's id determines it — so sinks stay idempotent by id,
 * but a topic may hold an id twice.
 */
export class AtLeastOnceCommit implements CommitStrategy {
  readonly mode = 'at-least-once';
  readonly description = 'at-least-once output (outputs written, then offsets committed)';

  constructor(
    private readonly consumer: GroupConsumer,
    private readonly producer: Producer,
    private readonly options: {
      logger: Logger;
      maxRetries: number;
      batchSize: number;
      /** Outputs could not be written after every retry: the run must stop. */
      onFatal: (err: Error) => void;
    },
  ) {}

  async commit(slices: CommitSlice[]): Promise<CommitResult> {
    const result: CommitResult = { committed: [], lost: [] };
    for (const slice of slices) {
      if (!slice.ps.owned) {
        result.lost.push(slice);
        continue;
      }
      try {
        for (let i = 0; i < slice.messages.length; i += this.options.batchSize) {
          await sendWithRetry(
            this.producer,
            slice.messages.slice(i, i + this.options.batchSize),
            this.options,
          );
        }
      } catch (err) {
        this.options.onFatal(err as Error);
        throw err;
      }
      try {
        await this.consumer.commit([{ ...slice.ps.tp, offset: slice.next }]);
        result.committed.push(slice);
      } catch (err) {
        if (!isLost(err)) throw err;
        result.lost.push(slice);
      }
    }
    return result;
  }

  async close(): Promise<void> {
    await this.producer.close();
  }
}

/** Sends one batch, retrying transport errors with backoff; the last error is thrown as TRANSPORT_ERROR. */
export async function sendWithRetry(
  producer: Producer,
  messages: OutgoingMessage[],
  options: { logger: Logger; maxRetries: number },
): Promise<void> {
  if (messages.length === 0) return;
  for (let attempt = 0; ; attempt++) {
    try {
      await producer.send(messages);
      return;
    } catch (err) {
      const final = err instanceof TaneError && !err.retryable && err.code === 'TOPIC_NOT_FOUND';
      if (attempt >= options.maxRetries || final) {
        throw err instanceof TaneError
          ? err
          : new TaneError('TRANSPORT_ERROR', `writing to topics failed: ${(err as Error).message}`, {
              cause: err,
              hint: 'check the broker or the local log file; the run stops without committing unwritten work',
            });
      }
      const delay = Math.min(10_000, 200 * 2 ** attempt) * (0.5 + Math.random() / 2);
      options.logger.warn('write to topics failed, retrying', {
        attempt: attempt + 1,
        delayMs: Math.round(delay),
        error: (err as Error).message,
      });
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
