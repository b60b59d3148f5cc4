import { setTimeout as sleep } from 'node:timers/promises';
import type { StageSetupContext } from './plugin.ts';
import type { TaneRecord } from './record.ts';

const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;

/**
 * Follows a logical topic from its beginning for as long as `signal` is not
 * aborted, handing every record to `onRecord` — the way a stateful plugin
 * keeps its state current (accepted counts, a few-shot pool). A transport
 * error does not end it: it logs, waits (1 s, doubling up to 30 s) and reads
 * again from the start, so `onRecord` must ignore ids it has already seen.
 *
 * @example
 * ```ts
 * const following = followTopic(ctx, 'dataset', (r) => counter.add(r), { signal: stop.signal });
 * // at close: stop.abort(); await following;
 * ```
 */
export async function followTopic(
  ctx: Pick<StageSetupContext, 'readTopic' | 'logger'>,
  topic: string,
  onRecord: (record: TaneRecord) => void,
  options: { signal: AbortSignal; whatFails?: string },
): Promise<void> {
  const { signal } = options;
  let delay = FIRST_RETRY_MS;
  while (!signal.aborted) {
    try {
      for await (const record of ctx.readTopic(topic, { follow: true, signal })) {
        onRecord(record);
        delay = FIRST_RETRY_MS;
      }
      return;
    } catch (err) {
      if (signal.aborted) return;
      ctx.logger.warn(`following topic ${topic} failed; ${options.whatFails ?? 'retrying'}`, {
        topic,
        error: (err as Error).message,
        retryInMs: delay,
      });
      await sleep(delay, undefined, { signal }).catch(() => undefined);
      delay = Math.min(delay * 2, MAX_RETRY_MS);
    }
  }
}
