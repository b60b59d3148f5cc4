import {
  followTopic,
  type HandlerStage,
  RoundCatchUp,
  readUntilDone,
  type StageSetupContext,
  TaneError,
  taskRound,
} from '@tane/core';
import { chooseFewShot } from './choose-few-shot.ts';
import type { FewShotSamplerConfig } from './config.ts';
import { ExamplePool } from './example-pool.ts';

/**
 * The few-shot-sampler stage: builds the pool from the seeds and dataset
 * topics, and attaches `data.fewShot` to every task. Generated examples come
 * only from rows of earlier planning rounds, which are complete when a round
 * starts, so the picks of a task are the same on any worker, before or after
 * a crash: a pure function of the task and committed topics.
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
  // Accepted rows are read per planning round, not followed: see RoundCatchUp.
  const rows = new RoundCatchUp(ctx, config.datasetTopic, (r) => pool.addGenerated(r), stop.signal);

  // The highest round a task has come from: the texts of examples that only
  // views of earlier rounds can offer are let go when it rises.
  let currentRound = 0;
  let restoring: Promise<void> | undefined;

  /** Reads the dataset topic again for the texts let go, when a task of a past round needs them. */
  function restoreTexts(): Promise<void> {
    restoring ??= (async () => {
      const wanted = pool.releasedTexts;
      let restored = 0;
      await readUntilDone(
        ctx,
        config.datasetTopic,
        async () => {
          for await (const record of ctx.readTopic(config.datasetTopic, { signal: stop.signal })) {
            if (pool.restoreTexts(record)) restored++;
            if (pool.releasedTexts === 0) break;
          }
        },
        stop.signal,
      );
      ctx.logger.info('few-shot texts read again for a task of a past round', {
        wanted,
        restored,
        topic: config.datasetTopic,
      });
    })().finally(() => {
      restoring = undefined;
    });
    return restoring;
  }

  async function readSeeds() {
    let read = 0;
    let skipped = 0;
    for await (const record of ctx.readTopic(config.seedsTopic, { signal: stop.signal })) {
      read++;
      if (pool.addSeed(record) === 'unusable') skipped++;
    }
    if (skipped > 0) {
      ctx.logger.warn(
        `skipped ${skipped} of ${read} records on ${config.seedsTopic} that are not usable examples`,
        {
          topic: config.seedsTopic,
          hint: 'a usable record has data {instruction, input?, output} with text in instruction and output',
        },
      );
    }
  }

  return {
    kind: 'handler',
    concurrency: 64,

    async init() {
      if (ctx.signal.aborted) return;
      ctx.signal.addEventListener('abort', onShutdown, { once: true });
      await readSeeds();
      if (config.maxGenerated > 0) await rows.readAll();
      ctx.logger.info('few-shot pool per category', { pool: pool.sizes() });
      // Seeds are followed (a fixed set, compacted); accepted rows are read per round instead.
      // Re-reading from the start after a transport error is safe: the pool ignores ids it already has.
      followers.push(
        followTopic(ctx, config.seedsTopic, (record) => pool.addSeed(record), { signal: stop.signal }),
      );
    },

    async handle(record) {
      if (record.type !== 'task') {
        throw new TaneError('INPUT_INVALID', `expected a task record, got type "${record.type}"`, {
          where: `record ${record.id}`,
          hint: 'put the few-shot-sampler after the category-router, on the tasks topic',
        });
      }
      if (record.data === null || typeof record.data !== 'object' || Array.isArray(record.data)) {
        throw new TaneError('INPUT_INVALID', 'task data must be an object {runId, index, k, round}', {
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
      const round = taskRound(record);
      if (config.maxGenerated > 0) {
        await rows.before(round);
        if (round > currentRound) {
          currentRound = round;
          pool.releaseTexts(round);
        }
        // A round rising during a read lets texts go again, hence more than one try.
        for (let reads = 0; !pool.hasTexts(record.category, round); reads++) {
          if (reads === 3) {
            throw new TaneError(
              'STAGE_ERROR',
              `accepted examples of category ${record.category} that round ${round} offers are no longer on ${config.datasetTopic}`,
              {
                where: `task ${record.id}`,
                hint: `keep the ${config.datasetTopic} topic's rows (no retention limit) while tasks of past rounds may be replayed`,
                retryable: true,
              },
            );
          }
          await restoreTexts();
        }
      }
      const generated = pool.generated(record.category, round);
      // The picks are pinned in the record the generator receives: its prompt is a pure
      // function of this record, so a redo sends the same messages and hits the cache.
      const fewShot = chooseFewShot(record.id, { seeds, generated }, config);
      return { route: 'task', record: { ...record, data: { ...record.data, fewShot } } };
    },

    async close() {
      stop.abort();
      ctx.signal.removeEventListener('abort', onShutdown);
      await Promise.all(followers);
    },
  };
}
