import { resolve } from 'node:path';
import {
  type HandlerStage,
  RoundCatchUp,
  rowRound,
  type StageSetupContext,
  TaneError,
  type TaneRecord,
  taskRound,
} from '@tane/core';
import { AcceptedCounter } from './accepted-counter.ts';
import type { CategorySettings } from './category-set.ts';
import type { CategoryRouterConfig } from './config.ts';
import { loadCategories } from './load-categories.ts';

/**
 * The category-router stage: loads the categories file and, with quotas on,
 * counts accepted examples per category and planning round from the dataset
 * topic; a task is dropped (`quota_reached`) when rows of earlier rounds
 * already meet its category's target.
 */
export function createCategoryRouter(config: CategoryRouterConfig, ctx: StageSetupContext): HandlerStage {
  const file = resolve(ctx.baseDir, config.categories);
  const topic = config.quota.topic;
  const stop = new AbortController();
  const onShutdown = () => stop.abort();
  let byId = new Map<string, CategorySettings>();
  /** Accepted rows per planning round of the task that made them (0: unknown round). */
  let counters = new Map<number, AcceptedCounter>();
  let targets: Record<string, number> = {};
  let rows: RoundCatchUp | undefined;
  /** The quota of a category: the stage's `quota.target` if set, else the file's target. */
  const targetOf = (c: CategorySettings): number => config.quota.target ?? c.target;

  const add = (record: TaneRecord) => {
    if (!byId.has(record.category)) return;
    const round = rowRound(record);
    let counter = counters.get(round);
    if (!counter) counters.set(round, (counter = new AcceptedCounter(targets)));
    counter.add(record);
  };
  /** Accepted rows of `category` from rounds before `round` (at most its target). */
  const countBefore = (category: string, round = Number.POSITIVE_INFINITY): number => {
    let n = 0;
    for (const [r, counter] of counters) if (r < round) n += counter.count(category);
    return Math.min(n, targets[category] ?? n);
  };

  return {
    kind: 'handler',
    concurrency: 64,

    async init() {
      const set = await loadCategories(file);
      byId = new Map(set.categories.map((c) => [c.id, c]));
      if (!config.quota.enabled) return;
      if (ctx.signal.aborted) return;
      ctx.signal.addEventListener('abort', onShutdown, { once: true });

      targets = Object.fromEntries(set.categories.map((c) => [c.id, targetOf(c)]));
      counters = new Map();
      // Categories not in the file are never routed, so their examples need no counting.
      rows = new RoundCatchUp(ctx, topic, add, stop.signal);
      await rows.readAll();
      const counts = Object.fromEntries(set.categories.map((c) => [c.id, countBefore(c.id)]));
      ctx.logger.info(`accepted examples per category in ${topic}`, { counts });
      for (const c of set.categories) {
        if (countBefore(c.id) >= targetOf(c)) {
          ctx.logger.info(`category "${c.id}" has reached its target; its new tasks go to quota_reached`, {
            category: c.id,
            target: targetOf(c),
          });
        }
      }
    },

    async handle(record) {
      if (record.type !== 'task') {
        throw new TaneError('INPUT_INVALID', `expected a task record, got type "${record.type}"`, {
          where: `record ${record.id}`,
          hint: 'connect the category-router to the tasks topic',
        });
      }
      const settings = byId.get(record.category);
      if (!settings) {
        throw new TaneError('INPUT_INVALID', `unknown category "${record.category}"`, {
          where: `task ${record.id}`,
          hint: `add it to ${config.categories} or fix the task`,
        });
      }
      const category = structuredClone(settings);
      if (config.quota.target !== undefined) category.target = config.quota.target;
      const routed = { ...record, meta: { ...record.meta, category } };
      // The quota counts rows of earlier rounds only (complete when this round was published),
      // so whether a task runs never depends on how far its own round has got.
      let full = false;
      if (config.quota.enabled && rows) {
        const round = taskRound(record);
        await rows.before(round);
        full = countBefore(settings.id, round) >= targetOf(settings);
      }
      return { route: full ? 'quota_reached' : 'task', record: routed };
    },

    async close() {
      stop.abort();
      ctx.signal.removeEventListener('abort', onShutdown);
    },
  };
}
