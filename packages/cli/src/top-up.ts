import { resolve } from 'node:path';
import { type Logger, TaneError, type Transport } from '@tane/core';
import { groupLag, type LoadedPipeline } from '@tane/core/engine';
import {
  AcceptedByRound,
  type CategorySet,
  countPlanned,
  lastRound,
  loadCategories,
  planTasks,
} from '@tane/plugin-category-router';
import { publishRecords } from './publish-records.ts';
import { DatasetFollower, readRecords } from './read-records.ts';

/** The categories file named by the pipeline's category-router stage (or given explicitly). */
export async function categoriesFor(
  pipeline: LoadedPipeline,
  explicit?: string,
): Promise<{ path: string; set: CategorySet }> {
  if (explicit) return { path: resolve(explicit), set: await loadCategories(resolve(explicit)) };
  for (const [id, plugin] of Object.entries(pipeline.plugins)) {
    if (plugin.definition.name === '@tane/plugin-category-router') {
      const file = pipeline.configs[id]?.categories;
      if (typeof file === 'string') {
        const path = resolve(pipeline.spec.baseDir, file);
        return { path, set: await loadCategories(path) };
      }
    }
  }
  throw new TaneError(
    'USAGE',
    `pipeline ${pipeline.spec.name} has no category-router stage with a categories file`,
    {
      where: pipeline.spec.file,
      hint: 'pass --categories <file>',
    },
  );
}

export interface TopUpOptions {
  transport: Transport;
  pipeline: LoadedPipeline;
  categories: CategorySet;
  runId: string;
  logger: Logger;
  /** Fixed plan: N examples per category (one round). */
  perCategory?: number;
  /** Keep topping up until every category has N accepted (default: each category's target). */
  untilAccepted?: number;
  k?: number;
  maxRounds: number;
  /** Waits until the pipeline has processed everything published so far. */
  waitIdle?: () => Promise<void>;
}

export interface TopUpResult {
  rounds: number;
  published: number;
  accepted: Record<string, number>;
  /** Categories still below their goal when it stopped. */
  short: string[];
}

/**
 * Publishes the task records of a run — once (`perCategory`), or in rounds
 * until every category has its accepted examples — with deterministic ids, so
 * running it twice does not double the work.
 */
export async function topUp(options: TopUpOptions): Promise<TopUpResult> {
  const { transport, pipeline, categories, runId, logger } = options;
  const prefix = pipeline.spec.topics.prefix;
  const tasksTopic = `${prefix}tasks`;
  const datasetTopic = `${prefix}dataset`;
  const partitions = pipeline.spec.topics.partitions;
  const goal = (c: { id: string; target: number }) => options.untilAccepted ?? c.target;
  let published = 0;
  let accepted: Record<string, number> = {};
  // Each round reads only what the dataset topic gained since the last one.
  const dataset = new DatasetFollower(transport, datasetTopic, new AcceptedByRound());
  const acceptedNow = async (before: { beforeRound?: number } = {}) =>
    (await dataset.catchUp()).counts(before);
  let previousTotal = -1;
  // Rounds continue the run's numbering, so a second `tane generate` goes on from round n. It
  // plans round n again first: a plan sees only the rows and tasks of the rounds before it, so
  // it is the plan published then, whatever has happened since (rows of round n still coming
  // in, a crash half-way through publishing it); only what is missing of it is published, and
  // the next round is planned once round n is done.
  const roundsBefore = await lastRound(readRecords(transport, tasksTopic), runId);
  const fixed = options.perCategory !== undefined;
  const firstRound = Math.max(1, roundsBefore);
  for (let round = 1; round <= options.maxRounds; round++) {
    const planning = fixed ? firstRound : firstRound + round - 1;
    const before = fixed ? {} : { beforeRound: planning };
    accepted = await acceptedNow(before);
    const alreadyPlanned = await countPlanned(readRecords(transport, tasksTopic), runId, before);
    const tasks = planTasks({
      categories,
      runId,
      round: planning,
      ...(options.k ? { k: options.k } : {}),
      ...(options.perCategory !== undefined
        ? { perCategory: options.perCategory }
        : { accepted, alreadyPlanned }),
      ...(options.untilAccepted !== undefined && options.perCategory === undefined
        ? { untilAccepted: options.untilAccepted }
        : {}),
    });
    const result = await publishRecords(transport, tasksTopic, tasks, { partitions, skipExisting: true });
    published += result.published;
    const total = Object.values(accepted).reduce((a, b) => a + b, 0);
    const short = categories.categories.filter((c) => (accepted[c.id] ?? 0) < goal(c)).map((c) => c.id);
    logger.info(
      `round ${round}: ${total} accepted so far, ${short.length} categories below target; published ${result.published} tasks` +
        (result.skipped ? ` (${result.skipped} already published)` : ''),
    );
    if (options.perCategory !== undefined || short.length === 0 || !options.waitIdle) {
      if (options.waitIdle && result.published > 0) await options.waitIdle();
      accepted = await acceptedNow();
      return {
        rounds: round,
        published,
        accepted,
        short: categories.categories.filter((c) => (accepted[c.id] ?? 0) < goal(c)).map((c) => c.id),
      };
    }
    if (total === previousTotal && result.published === 0) {
      logger.warn('no progress in the last round: stopping (check the dlq and rejected topics)');
      return { rounds: round, published, accepted, short };
    }
    previousTotal = total;
    await options.waitIdle();
  }
  accepted = await acceptedNow();
  const short = categories.categories.filter((c) => (accepted[c.id] ?? 0) < goal(c)).map((c) => c.id);
  if (short.length > 0)
    logger.warn(`stopped after ${options.maxRounds} rounds with ${short.length} categories below target`, {
      short: short.join(','),
    });
  return { rounds: options.maxRounds, published, accepted, short };
}

/**
 * Waits until a consumer group has committed every input topic to its end (another worker runs
 * the pipeline). Warns when the group made no progress for `stallWarnMs` (are the workers
 * running?). A broker outage is waited out (retryable errors, warned about every 30 s) for up to
 * `maxOutageMs`; any other error is thrown.
 */
export async function waitForGroup(
  transport: Transport,
  group: string,
  topics: string[],
  options: { signal?: AbortSignal; logger?: Logger; maxOutageMs?: number; stallWarnMs?: number } = {},
): Promise<void> {
  const { signal, logger, maxOutageMs = 10 * 60_000, stallWarnMs = 60_000 } = options;
  let outageSince: number | undefined;
  let warnedAt = 0;
  let last: { lag: number; at: number } | undefined;
  for (;;) {
    if (signal?.aborted) return;
    try {
      const lag = await groupLag(transport, group, topics);
      if (lag === 0) return;
      outageSince = undefined;
      const now = Date.now();
      if (!last || lag < last.lag) last = { lag, at: now };
      else if (now - last.at >= stallWarnMs) {
        logger?.warn(
          `group ${group} has ${lag} offsets of ${topics.join(', ')} to go and made no progress for ${Math.round((now - last.at) / 1000)} s; is a worker running this pipeline (tane run)?`,
        );
        last = { lag, at: now };
      }
    } catch (err) {
      if (!(err instanceof TaneError) || !err.retryable) throw err;
      outageSince ??= Date.now();
      if (Date.now() - outageSince > maxOutageMs) throw err;
      if (Date.now() - warnedAt > 30_000) {
        warnedAt = Date.now();
        logger?.warn(`cannot read the progress of group ${group} yet; waiting (${err.message})`);
      }
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}
