import type { StageSetupContext, TopicPositions } from './plugin.ts';
import type { TaneRecord } from './record.ts';

/**
 * Keeps state built from a topic current for planning rounds: the first time a
 * task of round `r` is seen, the topic is read from where the last read ended
 * to its end, and every later task of round `r` or below goes on at once.
 *
 * `tane generate` publishes round `r` only once every earlier round is done,
 * so after that read the state holds every row of earlier rounds — the same on
 * every worker, whenever it gets there. Stages that draw on accepted rows
 * (few-shot picks, quotas) use only rows of rounds before the task's round,
 * and so decide the same way after a crash, a rebalance or with more workers.
 *
 * @example
 * ```ts
 * const rows = new RoundCatchUp(ctx, 'dataset', (r) => pool.add(r));
 * await rows.readAll();              // init: everything so far
 * await rows.before(task.data.round); // in handle(): rows of earlier rounds are in
 * ```
 */
export class RoundCatchUp {
  private readonly position: TopicPositions = new Map();
  private synced = 0;
  private chain: Promise<void> = Promise.resolve();
  private readonly pending = new Map<number, Promise<void>>();

  constructor(
    private readonly ctx: Pick<StageSetupContext, 'readTopic'> & Partial<Pick<StageSetupContext, 'logger'>>,
    private readonly topic: string,
    private readonly onRecord: (record: TaneRecord) => void,
    private readonly signal?: AbortSignal,
  ) {}

  /**
   * Reads what is new on the topic, to its current end. Reads never overlap.
   * A read that fails (a broker restarting) is tried again from where it got
   * to, with a growing delay, until it works or the signal aborts: the state
   * must be complete before anything is decided on it.
   */
  readAll(): Promise<void> {
    this.chain = this.chain.then(() =>
      readUntilDone(
        this.ctx,
        this.topic,
        async () => {
          for await (const record of this.ctx.readTopic(this.topic, {
            resume: this.position,
            ...(this.signal ? { signal: this.signal } : {}),
          })) {
            this.onRecord(record);
          }
        },
        this.signal,
      ),
    );
    return this.chain;
  }

  /** Resolves once every row of rounds before `round` has been read (one read per new round). */
  before(round: number): Promise<void> {
    if (round <= this.synced) return Promise.resolve();
    let pending = this.pending.get(round);
    if (!pending) {
      pending = this.readAll().then(() => {
        this.synced = Math.max(this.synced, round);
        this.pending.delete(round);
      });
      this.pending.set(round, pending);
    }
    return pending;
  }
}

/**
 * Runs a read of `topic` until it completes, retrying a failure after 0.5 s,
 * doubling up to 15 s, and logging each failure; gives up only when `signal`
 * aborts. For reads whose result must be complete (catch-ups before a decision).
 */
export async function readUntilDone(
  ctx: Partial<Pick<StageSetupContext, 'logger'>>,
  topic: string,
  read: () => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  let delay = 500;
  for (;;) {
    try {
      await read();
      return;
    } catch (err) {
      if (signal?.aborted) throw err;
      ctx.logger?.warn(`reading topic ${topic} failed; trying again`, {
        topic,
        error: (err as Error).message,
        retryInMs: delay,
      });
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 15_000);
    }
  }
}

/** A task's planning round (`data.round`); a task without one counts as round 1. */
export function taskRound(task: TaneRecord): number {
  const round = (task.data as { round?: unknown } | null)?.round;
  return typeof round === 'number' && Number.isInteger(round) && round >= 1 ? round : 1;
}

/** The planning round of the task a candidate came from (`meta.generation.round`); 0 when unknown. */
export function rowRound(record: TaneRecord): number {
  const round = (record.meta.generation as { round?: unknown } | undefined)?.round;
  return typeof round === 'number' && Number.isInteger(round) && round >= 0 ? round : 0;
}
