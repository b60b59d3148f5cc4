import {
  followTopic,
  type HandlerStage,
  type StageSetupContext,
  TaneError,
  type TaneRecord,
} from '@tane/core';
import { chooseFewShot } from './choose-few-shot.ts';
import type { FewShotSamplerConfig } from './config.ts';
import { ExamplePool, type PoolAddResult } from './example-pool.ts';

/**
 * The few-shot-sampler stage: builds the pool from the seeds and dataset
 * topics (to their end before the first task), keeps following both, and
 * attaches `data.fewShot` to every task.
 */
export function createFewShotSampler(config: FewShotSamplerConfig, ctx: StageSetupContext): HandlerStage {
  if (config.seeds + config.generated !== config.k) {
    throw new TaneError(
      'CONFIG_INVALID',
      `seeds (${config.seeds}) + generated (${config.generated}) must equal k (${config.k})`,
      { where: `stage ${ctx.stage}`, hint: 'set all three, e.g. k: 8, seeds: 6, generated: 2' },
    );
  }

  const pool = new ExamplePool({ maxGenerated: config.maxGenerated });
  const stop = new AbortController();
  const onShutdown = () => stop.abort();
  const followers: Promise<void>[] = [];
  const sources: { topic: string; add: (record: TaneRecord) => PoolAddResult }[] = [
    { topic: config.seedsTopic, add: (r) => pool.addSeed(r) },
  ];
  if (config.maxGenerated > 0) sources.push({ topic: config.datasetTopic, add: (r) => pool.addGenerated(r) });

  // Re-reading from the start after a transport error is safe: the pool ignores ids it already has.
  const follow = (source: (typeof sources)[number]) =>
    followTopic(ctx, source.topic, (record) => source.add(record), { signal: stop.signal });

  return {
    kind: 'handler',
    concurrency: 64,

    async init() {
      if (ctx.signal.aborted) return;
      ctx.signal.addEventListener('abort', onShutdown, { once: true });
      for (const source of sources) {
        let read = 0;
        let skipped = 0;
        for await (const record of ctx.readTopic(source.topic, { signal: stop.signal })) {
          read++;
          if (source.add(record) === 'unusable') skipped++;
        }
        if (skipped > 0) {
          ctx.logger.warn(
            `skipped ${skipped} of ${read} records on ${source.topic} that are not usable examples`,
            {
              topic: source.topic,
              hint: 'a usable record has data {instruction, input?, output} with text in instruction and output',
            },
          );
        }
      }
      ctx.logger.info('few-shot pool per category', { pool: pool.sizes() });
      for (const source of sources) followers.push(follow(source));
    },

    async handle(record) {
      if (record.type !== 'task') {
        throw new TaneError('INPUT_INVALID', `expected a task record, got type "${record.type}"`, {
          where: `record ${record.id}`,
          hint: 'put the few-shot-sampler after the category-router, on the tasks topic',
        });
      }
      if (record.data === null || typeof record.data !== 'object' || Array.isArray(record.data)) {
        throw new TaneError('INPUT_INVALID', 'task data must be an object {runId, index, k}', {
          where: `task ${record.id}`,
          hint: 'publish tasks with `tane generate`',
        });
      }
      const seeds = pool.seeds(record.category);
      if (seeds.length === 0) {
        throw new TaneError('INPUT_INVALID', `no seeds for category ${record.category}`, {
          where: `task ${record.id}`,
          hint: 'publish seeds with tane publish seeds <file>',
        });
      }
      const fewShot = chooseFewShot(record.id, { seeds, generated: pool.generated(record.category) }, config);
      return { route: 'task', record: { ...record, data: { ...record.data, fewShot } } };
    },

    async close() {
      stop.abort();
      ctx.signal.removeEventListener('abort', onShutdown);
      await Promise.all(followers);
    },
  };
}
