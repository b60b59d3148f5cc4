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
export class EndpointLimiter {
  private limit: number;
  private readonly max: number;
  private inFlight = 0;
  private epoch = 0;
  private pausedUntil = 0;
  private readonly queue: Waiter[] = [];
  private readonly starts: number[] = [];
  private readonly tokenWindow: Array<{ at: number; tokens: number }> = [];
  private timer: NodeJS.Timeout | undefined;
  private timerAt = 0;
  private closed = false;
  private readonly now: () => number;

  constructor(private readonly options: EndpointLimiterOptions) {
    this.max = options.maxConcurrency;
    this.limit = options.maxConcurrency;
    this.now = options.now ?? Date.now;
  }

  /** Current concurrency limit (after AIMD decreases). */
  get concurrencyLimit(): number {
    return Math.max(1, Math.floor(this.limit));
  }

  get active(): number {
    return this.inFlight;
  }

  get waiting(): number {
    return this.queue.length;
  }

  /** Waits for a slot. Rejects with `LLM_ABORTED` when the signal fires first (the waiter leaves the queue). */
  acquire(estimatedTokens: number, signal?: AbortSignal): Promise<Permit> {
    if (this.closed) return Promise.reject(this.closedError());
    if (signal?.aborted) return Promise.reject(abortedError(this.options.endpoint, signal));
    return new Promise<Permit>((resolve, reject) => {
      const waiter: Waiter = { estimatedTokens, resolve, reject, cleanup: () => {} };
      if (signal) {
        const onAbort = () => {
          const i = this.queue.indexOf(waiter);
          if (i >= 0) this.queue.splice(i, 1);
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
    for (const w of this.queue.splice(0)) {
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
    while (this.queue.length > 0) {
      const now = this.now();
      const wait = this.blockedFor(this.queue[0]!, now);
      if (wait === 'slot') return;
      if (wait > 0) {
        this.wakeAt(now + wait);
        return;
      }
      const w = this.queue.shift()!;
      w.cleanup();
      this.inFlight++;
      this.starts.push(now);
      const tokenEntry = { at: now, tokens: w.estimatedTokens };
      this.tokenWindow.push(tokenEntry);
      w.resolve({ grantedAt: now, epoch: this.epoch, tokenEntry, released: false });
    }
  }

  /** 'slot' = wait for a release; a number = ms until a time-based limit lets the head go. */
  private blockedFor(head: Waiter, now: number): number | 'slot' {
    if (this.inFlight >= this.concurrencyLimit) return 'slot';
    if (now < this.pausedUntil) return this.pausedUntil - now;
    while (this.starts.length > 0 && this.starts[0]! <= now - WINDOW_MS) this.starts.shift();
    while (this.tokenWindow.length > 0 && this.tokenWindow[0]!.at <= now - WINDOW_MS)
      this.tokenWindow.shift();
    const rpm = this.options.requestsPerMinute;
    if (rpm !== undefined && this.starts.length >= rpm) return this.starts[0]! + WINDOW_MS - now;
    const tpm = this.options.tokensPerMinute;
    if (tpm !== undefined && this.tokenWindow.length > 0) {
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
