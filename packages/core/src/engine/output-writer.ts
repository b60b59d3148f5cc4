import { TaneError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { OutgoingMessage, Producer } from '../transport.ts';

interface Pending {
  message: OutgoingMessage;
  done: () => void;
}

/**
 * Batches records bound for topics into few, large `send` calls. A record
 * counts as written (its `done` runs) only once the transport has made the
 * batch durable, which is what lets the engine commit source offsets safely.
 */
export class OutputWriter {
  private queue: Pending[] = [];
  private sending = false;
  private closed = false;
  private failure: Error | undefined;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly producer: Producer,
    private readonly options: {
      batchSize: number;
      maxRetries: number;
      logger: Logger;
      onFatal: (err: Error) => void;
    },
  ) {}

  write(message: OutgoingMessage, done: () => void): void {
    if (this.failure) throw this.failure;
    this.queue.push({ message, done });
    if (!this.sending) queueMicrotask(() => void this.pump());
  }

  get size(): number {
    return this.queue.length + (this.sending ? 1 : 0);
  }

  /** Resolves once everything queued so far is written. */
  async drain(): Promise<void> {
    if (this.queue.length === 0 && !this.sending) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    await this.drain();
    this.closed = true;
    await this.producer.close();
  }

  private async pump(): Promise<void> {
    if (this.sending || this.closed) return;
    this.sending = true;
    try {
      while (this.queue.length > 0 && !this.failure) {
        const batch = this.queue.splice(0, this.options.batchSize);
        await this.sendWithRetry(batch.map((p) => p.message));
        for (const p of batch) p.done();
      }
    } catch (err) {
      this.failure =
        err instanceof TaneError
          ? err
          : new TaneError('TRANSPORT_ERROR', `writing to topics failed: ${(err as Error).message}`, {
              cause: err,
              hint: 'check the broker or the local log file; the run stops without committing unwritten work',
            });
      this.options.onFatal(this.failure);
    } finally {
      this.sending = false;
      if (this.queue.length === 0 || this.failure) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const w of waiters) w();
      }
    }
  }

  private async sendWithRetry(messages: OutgoingMessage[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.producer.send(messages);
        return;
      } catch (err) {
        if (
          attempt >= this.options.maxRetries ||
          (err instanceof TaneError && !err.retryable && err.code === 'TOPIC_NOT_FOUND')
        ) {
          throw err;
        }
        const delay = Math.min(10_000, 200 * 2 ** attempt) * (0.5 + Math.random() / 2);
        this.options.logger.warn('write to topics failed, retrying', {
          attempt: attempt + 1,
          delayMs: Math.round(delay),
          error: (err as Error).message,
        });
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }
}
