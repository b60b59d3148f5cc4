import { redactSecrets, TaneError } from '@tane/core';

export interface EndpointLimiterOptions {
  maxConcurrency: number;
  requestsPerMinute?: number | undefined;
  tokensPerMinute?: number | undefined;
  /** For error messages. */
  endpoint: string;
  now?: () => number;
}

/** A granted slot; give it back with {@link EndpointLimiter.release} exactly once. */
export interface Permit {
  readonly grantedAt: number;
  /** The congestion epoch at grant time: only the first throttle of an epoch halves the limit. */
  readonly epoch: number;
  readonly tokenEntry: { at: number; tokens: number };
  released: boolean;
}

export type PermitOutcome =
  | { kind: 'success'; tokens: number }
  | { kind: 'throttled'; retryAfterMs?: number | undefined }
  | { kind: 'failure' };

interface Waiter {
  estimatedTokens: number;
  resolve: (permit: Permit) => void;
  reject: (err: unknown) => void;
  cleanup: () => void;
}

const WINDOW_MS = 60_000;

/**
 * The one gate in front of an endpoint: bounds requests in flight (AIMD:
 * halved on 429/503, +1 per window of successes back to the maximum),
 * requests per minute, tokens per minute and server-requested pauses. Waiters
 * are served in order and sleep on one timer; nothing polls.
 */
/**
 * A first-in first-out queue whose `shift` is O(1) (an array's is O(n), which
 * adds up with thousands of waiters or a minute of request start times).
 */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  peek(): T | undefined {
    return this.items[this.head];
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head]!;
    this.items[this.head] = undefined as T;
    this.head++;
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Removes one item wherever it is (an aborted waiter); O(n), and rare. */
  remove(item: T): void {
    const i = this.items.indexOf(item, this.head);
    if (i >= 0) this.items.splice(i, 1);
  }

  drain(): T[] {
    const rest = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return rest;
  }

  *[Symbol.iterator](): Iterator<T> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i]!;
  }
}

export class EndpointLimiter {
  private limit: number;
  private readonly max: number;
  private inFlight = 0;
  private epoch = 0;
  private pausedUntil = 0;
  private readonly queue = new Fifo<Waiter>();
  /** Start times of the last minute; kept only with a requests-per-minute limit. */
  private readonly starts = new Fifo<number>();
  /** Token estimates of the last minute; kept only with a tokens-per-minute limit. */
  private readonly tokenWindow = new Fifo<{ at: number; tokens: number }>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = 0;
  private closed = false;
  private readonly now: () => number;

  constructor(private readonly options: EndpointLimiterOptions) {
    this.max = options.maxConcurrency;
    this.limit = options.maxConcurrency;
    this.now = options.now ?? Date.now;
  }

  /** Whether permits need a token estimate (only with a tokens-per-minute limit). */
  get countsTokens(): boolean {
    return this.options.tokensPerMinute !== undefined;
  }

  /** Current concurrency limit (after AIMD decreases). */
  get concurrencyLimit(): number {
    return Math.max(1, Math.floor(this.limit));
  }

  get active(): number {
    return this.inFlight;
  }

  get waiting(): number {
    return this.queue.size;
  }

  /** Waits for a slot. Rejects with `LLM_ABORTED` when the signal fires first (the waiter leaves the queue). */
  acquire(estimatedTokens: number, signal?: AbortSignal): Promise<Permit> {
    if (this.closed) return Promise.reject(this.closedError());
    if (signal?.aborted) return Promise.reject(abortedError(this.options.endpoint, signal));
    return new Promise<Permit>((resolve, reject) => {
      const waiter: Waiter = { estimatedTokens, resolve, reject, cleanup: () => {} };
      if (signal) {
        const onAbort = () => {
          this.queue.remove(waiter);
          reject(abortedError(this.options.endpoint, signal));
          // The head may have been blocking others (token window); let them go.
          this.pump();
        };
        signal.addEventListener('abort', onAbort, { once: true });
        waiter.cleanup = () => signal.removeEventListener('abort', onAbort);
      }
      this.queue.push(waiter);
      this.pump();
    });
  }

  release(permit: Permit, outcome: PermitOutcome): void {
    if (permit.released) return;
    permit.released = true;
    this.inFlight--;
    const now = this.now();
    if (outcome.kind === 'success') {
      permit.tokenEntry.tokens = outcome.tokens;
      if (this.limit < this.max) this.limit = Math.min(this.max, this.limit + 1 / this.concurrencyLimit);
    } else if (outcome.kind === 'throttled') {
      // Requests granted before the last decrease saw the old limit; they must not halve it again.
      if (permit.epoch === this.epoch) {
        this.limit = Math.max(1, Math.floor(this.limit / 2));
        this.epoch++;
      }
      if (outcome.retryAfterMs !== undefined && outcome.retryAfterMs > 0) {
        this.pausedUntil = Math.max(this.pausedUntil, now + outcome.retryAfterMs);
      }
    }
    this.pump();
  }

  /** Rejects every waiter with `LLM_ABORTED`; later acquires fail the same way. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const w of this.queue.drain()) {
      w.cleanup();
      w.reject(this.closedError());
    }
  }

  private closedError(): TaneError {
    return new TaneError('LLM_ABORTED', 'the LLM client was closed', {
      where: this.options.endpoint,
      hint: 'this happens during shutdown; the record is retried on the next run',
    });
  }

  private pump(): void {
    if (this.closed) return;
    while (this.queue.size > 0) {
      const now = this.now();
      const wait = this.blockedFor(this.queue.peek()!, now);
      if (wait === 'slot') return;
      if (wait > 0) {
        this.wakeAt(now + wait);
        return;
      }
      const w = this.queue.shift()!;
      w.cleanup();
      this.inFlight++;
      if (this.options.requestsPerMinute !== undefined) this.starts.push(now);
      const tokenEntry = { at: now, tokens: w.estimatedTokens };
      if (this.options.tokensPerMinute !== undefined) this.tokenWindow.push(tokenEntry);
      w.resolve({ grantedAt: now, epoch: this.epoch, tokenEntry, released: false });
    }
  }

  /** 'slot' = wait for a release; a number = ms until a time-based limit lets the head go. */
  private blockedFor(head: Waiter, now: number): number | 'slot' {
    if (this.inFlight >= this.concurrencyLimit) return 'slot';
    if (now < this.pausedUntil) return this.pausedUntil - now;
    const rpm = this.options.requestsPerMinute;
    if (rpm !== undefined) {
      while (this.starts.size > 0 && this.starts.peek()! <= now - WINDOW_MS) this.starts.shift();
      if (this.starts.size >= rpm) return this.starts.peek()! + WINDOW_MS - now;
    }
    const tpm = this.options.tokensPerMinute;
    if (tpm !== undefined) {
      while (this.tokenWindow.size > 0 && this.tokenWindow.peek()!.at <= now - WINDOW_MS)
        this.tokenWindow.shift();
    }
    if (tpm !== undefined && this.tokenWindow.size > 0) {
      let used = 0;
      for (const e of this.tokenWindow) used += e.tokens;
      // A request larger than the whole budget still goes once the window is empty.
      if (used + head.estimatedTokens > tpm) {
        let freed = used;
        for (const e of this.tokenWindow) {
          freed -= e.tokens;
          if (freed + head.estimatedTokens <= tpm || freed === 0) return Math.max(1, e.at + WINDOW_MS - now);
        }
      }
    }
    return 0;
  }

  private wakeAt(at: number): void {
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.pump();
      },
      Math.max(1, at - this.now()),
    );
  }
}

/** The `LLM_ABORTED` error for a call whose signal fired. */
export function abortedError(endpoint: string, signal: AbortSignal): TaneError {
  const reason = signal.reason instanceof Error ? redactSecrets(signal.reason.message) : undefined;
  return new TaneError('LLM_ABORTED', `the LLM call was aborted${reason ? ` (${reason})` : ''}`, {
    where: endpoint,
    hint: 'the stage timed out or the worker is shutting down; the record is retried or sent to the dead-letter topic',
  });
}
