interface Pending<T> {
  item: T;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** Settings of a {@link GroupCommit}. */
export interface GroupCommitOptions<T> {
  /** Commit as soon as this many items wait. */
  maxItems: number;
  /** Commit at the latest this long after the first item of a group arrived. */
  maxDelayMs: number;
  /** Makes a group durable; a throw fails every item of the group. */
  commit(items: T[]): Promise<void>;
  /** Runs `commit` inside this (e.g. a lock shared with other writers). */
  exclusive?<R>(fn: () => Promise<R>): Promise<R>;
}

/**
 * Group commit: `add` resolves only once its item is durable, and items that
 * arrive together are made durable by one write and one fsync.
 *
 * @example
 * ```ts
 * const group = new GroupCommit({ maxItems: 500, maxDelayMs: 1000, commit: (rows) => store.append(rows) });
 * await group.add(row); // the row is on disk
 * ```
 */
export class GroupCommit<T> {
  private pending: Pending<T>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly options: GroupCommitOptions<T>) {}

  /** Number of items waiting for the next commit. */
  get waiting(): number {
    return this.pending.length;
  }

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length >= this.options.maxItems) this.trigger();
      else this.timer ??= setTimeout(() => this.trigger(), this.options.maxDelayMs);
    });
  }

  /** Commits what is waiting now and resolves when every commit so far is done. */
  async flush(): Promise<void> {
    this.trigger();
    await this.running;
  }

  private trigger(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.pending.length === 0) return;
    const group = this.pending;
    this.pending = [];
    const run = async () => {
      const items = group.map((p) => p.item);
      await (this.options.exclusive
        ? this.options.exclusive(() => this.options.commit(items))
        : this.options.commit(items));
    };
    this.running = this.running.then(run).then(
      () => {
        for (const p of group) p.resolve();
      },
      (err: unknown) => {
        for (const p of group) p.reject(err);
      },
    );
  }
}

/**
 * Runs async functions one at a time, in call order (a failure does not stop the queue).
 *
 * @example
 * ```ts
 * const lock = new SerialQueue();
 * await lock.run(() => publish());
 * ```
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<R>(fn: () => Promise<R>): Promise<R> {
    const result = this.tail.then(fn, fn);
    this.tail = result.catch(() => {});
    return result;
  }
}
