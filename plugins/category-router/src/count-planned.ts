import { type TaneRecord, taskRound } from '@tane/core';

/**
 * Tasks already planned for `runId`, per category, as `planTasks` wants them
 * in `alreadyPlanned`: one more than the highest index seen, so new tasks
 * continue the numbering even if some earlier ones were lost. With
 * `beforeRound`, only tasks of earlier planning rounds count.
 *
 * @example
 * ```ts
 * const alreadyPlanned = await countPlanned(readTopic('tasks'), 'ja-business-1'); // { 'email-reply': 7, … }
 * ```
 */
export async function countPlanned(
  records: AsyncIterable<TaneRecord> | Iterable<TaneRecord>,
  runId: string,
  options: { beforeRound?: number } = {},
): Promise<Record<string, number>> {
  const planned: Record<string, number> = {};
  const before = options.beforeRound ?? Number.POSITIVE_INFINITY;
  for await (const record of records) {
    if (record.type !== 'task' || taskRound(record) >= before) continue;
    const data = record.data as { runId?: unknown; index?: unknown } | null;
    if (data === null || typeof data !== 'object' || data.runId !== runId) continue;
    if (typeof data.index !== 'number' || !Number.isInteger(data.index) || data.index < 0) continue;
    planned[record.category] = Math.max(planned[record.category] ?? 0, data.index + 1);
  }
  return planned;
}

/**
 * The highest planning round of `runId`'s tasks so far (0 when none), so that
 * a new `tane generate` continues the round numbering of the run.
 *
 * @example
 * ```ts
 * const next = (await lastRound(readTopic('tasks'), 'ja-business-1')) + 1;
 * ```
 */
export async function lastRound(
  records: AsyncIterable<TaneRecord> | Iterable<TaneRecord>,
  runId: string,
): Promise<number> {
  let last = 0;
  for await (const record of records) {
    if (record.type !== 'task') continue;
    const data = record.data as { runId?: unknown; round?: unknown } | null;
    if (data === null || typeof data !== 'object' || data.runId !== runId) continue;
    const round = typeof data.round === 'number' && Number.isInteger(data.round) ? data.round : 1;
    last = Math.max(last, round);
  }
  return last;
}
