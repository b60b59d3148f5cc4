import { resolve } from 'node:path';
import { followTopic, type HandlerStage, type StageSetupContext, TaneError } from '@tane/core';
import { AcceptedCounter } from './accepted-counter.ts';
import type { CategorySettings } from './category-set.ts';
import type { CategoryRouterConfig } from './config.ts';
import { loadCategories } from './load-categories.ts';

/**
 * The category-router stage: loads the categories file and, with quotas on,
 * counts accepted examples per category from the dataset topic (to its end
 * before the first task, then following it).
 */
export function createCategoryRouter(config: CategoryRouterConfig, ctx: StageSetupContext): HandlerStage {
  const file = resolve(ctx.baseDir, config.categories);
  const topic = config.quota.topic;
  const stop = new AbortController();
  const onShutdown = () => stop.abort();
  let byId = new Map<string, CategorySettings>();
  let counter = new AcceptedCounter();
  let following: Promise<void> | undefined;

  const announceIfReached = (category: string) => {
    const settings = byId.get(category);
    if (settings && counter.reachedCap(category)) {
      ctx.logger.info(`category "${category}" reached its target; new tasks go to quota_reached`, {
        category,
        target: settings.target,
      });
    }
  };

  // A transport hiccup must not freeze the quotas for the rest of the run:
  // followTopic re-reads from the start (ids are counted once) with a growing delay.
  const follow = () =>
    followTopic(
      ctx,
      topic,
      (record) => {
        if (byId.has(record.category) && counter.add(record)) announceIfReached(record.category);
      },
      { signal: stop.signal, whatFails: 'quotas will update again after a retry' },
    );

  return {
    kind: 'handler',
    concurrency: 64,

    async init() {
      const set = await loadCategories(file);
      byId = new Map(set.categories.map((c) => [c.id, c]));
      if (!config.quota.enabled) return;
      if (ctx.signal.aborted) return;
      ctx.signal.addEventListener('abort', onShutdown, { once: true });

      counter = new AcceptedCounter(Object.fromEntries(set.categories.map((c) => [c.id, c.target])));
      // Categories not in the file are never routed, so their examples need no counting.
      for await (const record of ctx.readTopic(topic, { signal: stop.signal })) {
        if (byId.has(record.category)) counter.add(record);
      }
      const counts = Object.fromEntries(set.categories.map((c) => [c.id, counter.count(c.id)]));
      ctx.logger.info(`accepted examples per category in ${topic}`, { counts });
      for (const c of set.categories) announceIfReached(c.id);
      following = follow();
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
      const routed = { ...record, meta: { ...record.meta, category: structuredClone(settings) } };
      const full = config.quota.enabled && counter.count(settings.id) >= settings.target;
      return { route: full ? 'quota_reached' : 'task', record: routed };
    },

    async close() {
      stop.abort();
      ctx.signal.removeEventListener('abort', onShutdown);
      await following;
    },
  };
}
