import { contentId, TaneError, type TaneRecord } from '@tane/core';
import type { CategorySet } from './category-set.ts';

/** The `data` of a `task` record: the run it belongs to, its index within the category, examples to ask for. */
export interface TaskData {
  runId: string;
  index: number;
  k: number;
  /**
   * The planning round (1, 2, …). The few-shot-sampler draws generated
   * examples only from rows of earlier rounds, which are complete when a round
   * is published, so a task's prompt never depends on how far the current round got.
   */
  round: number;
}

export interface PlanTasksOptions {
  categories: CategorySet;
  /** The run the tasks belong to; with the category and index it makes the task id. */
  runId: string;
  /** Plan exactly enough tasks for N examples per category (indexes from 0, so planning twice gives the same ids). */
  perCategory?: number;
  /**
   * Top every category up to N accepted examples. Without `perCategory` and
   * `untilAccepted`, each category is topped up to its own `target`.
   */
  untilAccepted?: number;
  /** Accepted examples per category so far (from the `dataset` topic). */
  accepted?: Record<string, number>;
  /** Tasks already published for this run per category; new indexes continue after them. */
  alreadyPlanned?: Record<string, number>;
  /** Examples asked for per task (default 8). */
  k?: number;
  /** Accepted examples per generated one (default 0.6). */
  expectedYield?: number;
  /** The round these tasks belong to (default 1); see {@link TaskData.round}. */
  round?: number;
}

// Guards ceil() against float noise such as 48 / (0.6 * 8) = 10.000000000000002.
const EPSILON = 1e-9;

/**
 * The `task` records to publish for a run: deterministic, so the same inputs
 * always give the same ids in the same order, and publishing them twice is
 * harmless (the pipeline skips ids it already did).
 *
 * - `perCategory: N` plans task indexes `0 … ceil(N / k) - 1` in every category.
 * - Otherwise every category below its goal (`untilAccepted`, or its own
 *   `target`) gets `ceil(weight × shortfall / (expectedYield × k))` new tasks,
 *   numbered after `alreadyPlanned`; a category at its goal gets none. Tasks
 *   still in flight are not known here: top up once the previous tasks are
 *   done (the category-router's quota drops any excess work).
 *
 * Tasks of different categories are interleaved in proportion to their counts,
 * so a pipeline works on every category at once.
 *
 * @throws TaneError `USAGE` on contradictory or out-of-range options.
 *
 * @example
 * ```ts
 * const tasks = planTasks({ categories, runId: 'ja-business-1', perCategory: 50 }); // 7 tasks per category
 * const more = planTasks({
 *   categories, runId: 'ja-business-1', untilAccepted: 200,
 *   accepted: { 'email-reply': 120 }, alreadyPlanned: { 'email-reply': 7 },
 * });
 * ```
 */
export function planTasks(options: PlanTasksOptions): TaneRecord<TaskData>[] {
  const k = options.k ?? 8;
  const expectedYield = options.expectedYield ?? 0.6;
  checkOptions(options, k, expectedYield);

  const planned: { record: TaneRecord<TaskData>; position: number; order: number }[] = [];
  options.categories.categories.forEach((category, order) => {
    let first: number;
    let count: number;
    if (options.perCategory !== undefined) {
      first = 0;
      count = Math.ceil(options.perCategory / k);
    } else {
      const goal = options.untilAccepted ?? category.target;
      const shortfall = Math.max(0, goal - (options.accepted?.[category.id] ?? 0));
      first = options.alreadyPlanned?.[category.id] ?? 0;
      count = shortfall === 0 ? 0 : Math.ceil((category.weight * shortfall) / (expectedYield * k) - EPSILON);
    }
    for (let j = 0; j < count; j++) {
      const index = first + j;
      planned.push({
        record: {
          id: contentId(options.runId, category.id, index),
          type: 'task',
          category: category.id,
          data: { runId: options.runId, index, k, round: options.round ?? 1 },
          meta: {},
          lineage: [],
          headers: {},
        },
        position: (j + 0.5) / count,
        order,
      });
    }
  });
  planned.sort((a, b) => a.position - b.position || a.order - b.order);
  return planned.map((p) => p.record);
}

function checkOptions(options: PlanTasksOptions, k: number, expectedYield: number): void {
  const usage = (message: string, hint: string) => new TaneError('USAGE', message, { hint });
  if (options.runId === '') throw usage('runId is empty', 'give the run a name, e.g. the pipeline name');
  if (options.perCategory !== undefined && options.untilAccepted !== undefined) {
    throw usage('perCategory and untilAccepted cannot be combined', 'give one of them');
  }
  for (const [name, value] of [
    ['perCategory', options.perCategory],
    ['untilAccepted', options.untilAccepted],
  ] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 0)) {
      throw usage(`${name} must be a whole number ≥ 0 (got ${value})`, `pass a count of examples to ${name}`);
    }
  }
  if (options.round !== undefined && !(Number.isInteger(options.round) && options.round >= 1)) {
    throw usage(`round must be a whole number ≥ 1 (got ${options.round})`, 'rounds count from 1');
  }
  if (!(Number.isInteger(k) && k >= 1))
    throw usage(`k must be a whole number ≥ 1 (got ${k})`, 'k is examples per task');
  if (!(expectedYield > 0 && expectedYield <= 1)) {
    throw usage(
      `expectedYield must be in (0, 1] (got ${expectedYield})`,
      'expectedYield is accepted examples per generated one, e.g. 0.6',
    );
  }
}
