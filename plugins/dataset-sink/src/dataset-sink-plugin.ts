import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  definePlugin,
  ENGINE_API,
  IdTable,
  type StageSetupContext,
  TaneError,
  type TopicPositions,
} from '@tane/core';
import pkg from '../package.json' with { type: 'json' };
import { writeFileAtomic } from './atomic-file.ts';
import { renderDatasetCard } from './dataset-card.ts';
import { classifyRecord, countedPart, type DatasetRow, type OutcomeLogEntry } from './dataset-row.ts';
import { DatasetTally } from './dataset-tally.ts';
import { type ExportInfo, type RowSource, writeExports } from './export-formats.ts';
import { GroupCommit, SerialQueue } from './group-commit.ts';
import { buildManifest, type DatasetManifest } from './manifest.ts';
import { type MixtureSummary, planMixture } from './mixture.ts';
import { type OutcomeFileInfo, writeOutcomeFiles } from './outcome-files.ts';
import { OutcomeLog } from './outcome-log.ts';
import { type QualitySummary, summariseQuality } from './quality-summary.ts';
import { ShardStore } from './shard-store.ts';
import { type DatasetSinkConfig, datasetSinkConfigSchema } from './sink-config.ts';

type Item = { kind: 'row'; row: DatasetRow } | { kind: 'outcome'; entry: OutcomeLogEntry };

/**
 * The dataset folder a sink stage writes: its `dir` (relative to the pipeline
 * file's folder, `{runId}` replaced), else `<dataDir>/datasets/<runId>`, so a
 * replay (run id `<pipeline>.<suffix>`) gets a folder of its own.
 *
 * @example
 * ```ts
 * resolveDatasetDir({}, { baseDir: '/p', dataDir: '/p/.tane', runId: 'ja-business' }); // '/p/.tane/datasets/ja-business'
 * ```
 */
export function resolveDatasetDir(
  config: Pick<DatasetSinkConfig, 'dir'>,
  ctx: Pick<StageSetupContext, 'baseDir' | 'dataDir' | 'runId'>,
): string {
  if (!config.dir) return join(ctx.dataDir, 'datasets', ctx.runId);
  return resolve(ctx.baseDir, config.dir.replaceAll('{runId}', ctx.runId));
}

async function readPreviousManifest(dir: string): Promise<DatasetManifest | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as DatasetManifest;
  } catch {
    return undefined;
  }
}

/**
 * The dataset sink: writes accepted examples as sharded JSONL, counts every
 * candidate's outcome, and publishes exports, `manifest.json` and a dataset
 * card.
 */
export const datasetSinkPlugin = definePlugin<DatasetSinkConfig>({
  name: pkg.name,
  version: pkg.version,
  engineApi: ENGINE_API,
  summary:
    'Writes accepted examples as a sharded, idempotent dataset with exports, manifest and dataset card',
  description: [
    'Feed it the `dataset`, `rejected` and `dlq` topics.',
    'Accepted examples are written to `shards/<category>/part-NNNNN.jsonl` (each shard replaced atomically, rows written once per id even across restarts and replays);',
    'rejected, duplicate and dead-lettered candidates are counted in an outcome log.',
    '`handle` resolves only when the row or outcome is on disk: a group commit appends many records to a log with one fsync, and shard parts are written when full and on flush.',
    'On flush and close it writes the exports (plain JSONL, Alpaca, OpenAI chat, ShareGPT, llm-jp-eval), `manifest.json` with per-category accounting',
    '(generated = accepted + rejected + duplicates + dlq, with `generated` read from the `generated` topic), and a dataset card README.md.',
  ].join(' '),
  examples: [
    { title: 'Defaults: <dataDir>/datasets/<runId>, 10,000 rows per shard', config: {} },
    {
      title: 'A folder next to the pipeline file, chat exports with a system prompt',
      config: {
        dir: 'datasets/{runId}',
        formats: ['plain', 'openai', 'sharegpt'],
        systemPrompt: 'あなたは誠実で優秀な日本人のアシスタントです。',
        card: { title: 'Japanese business instructions', license: 'cc-by-4.0' },
      },
    },
    {
      title: 'Small batches for a demo',
      summary:
        'Commits every 50 records or 200 ms, and updates shards, exports and manifest on every idle flush.',
      config: { flushEvery: 50, flushIntervalMs: 200, publishIntervalMs: 0 },
    },
  ],
  configSchema: datasetSinkConfigSchema,
  routes: [],
  accepts: ['candidate', 'dlq'],
  emits: [],
  create(config, ctx) {
    const dir = resolveDatasetDir(config, ctx);
    const store = new ShardStore(dir, config.shardSize);
    const outcomeLogPath = join(dir, '.tane', 'outcomes.jsonl');
    const outcomes = new OutcomeLog(outcomeLogPath);
    const tally = new DatasetTally();
    tally.addPlugin(ctx.plugin);
    const lock = new SerialQueue();
    const pending = new Map<string, Promise<void>>();
    let createdAt = new Date().toISOString();
    let changed = true;
    let rowsChangedSinceExport = true;
    let outcomesChangedSinceExport = true;
    let lastPublish = 0;
    let lastPublishMs = 0;
    let mixture: MixtureSummary | undefined;
    const warnedMissing = new Set<string>();
    if (config.mixture?.sources) {
      const weights = Object.values(config.mixture.sources).map((s) => s.weight ?? 1);
      if (weights.length > 0 && weights.every((w) => w === 0))
        throw new TaneError(
          'CONFIG_INVALID',
          'mixture: every source has weight 0, so the mixture would be empty',
          {
            where: `stage ${ctx.stage}: config.mixture.sources`,
            hint: 'give at least one source a weight above 0, or remove the mixture',
          },
        );
      // A source named with only a cap weighs 1; next to weights like 0.3 and 0.7 that is
      // rarely what was meant, so say so once.
      const entries = Object.entries(config.mixture.sources);
      const unweighted = entries.filter(([, s]) => s.weight === undefined).map(([name]) => name);
      if (unweighted.length > 0 && unweighted.length < entries.length)
        ctx.logger.warn(
          `mixture: ${unweighted.map((n) => `'${n}'`).join(', ')} ${unweighted.length === 1 ? 'has' : 'have'} no weight and ${unweighted.length === 1 ? 'counts' : 'count'} as weight 1 beside the weighted sources`,
          { sources: unweighted, hint: 'give every source in config.mixture.sources a weight' },
        );
    }
    let exports: ExportInfo[] = [];
    let outcomeFiles: OutcomeFileInfo[] = [];

    const writeError = (err: unknown, what: string) =>
      new TaneError('DATASET_WRITE', `cannot write ${what} in ${dir}: ${(err as Error).message}`, {
        where: `stage ${ctx.stage}`,
        hint: 'check free disk space and write permission on the dataset folder (config `dir`); the records are retried',
        retryable: true,
        cause: err,
      });

    const group = new GroupCommit<Item>({
      maxItems: config.flushEvery,
      maxDelayMs: config.flushIntervalMs,
      exclusive: (fn) => lock.run(fn),
      async commit(items) {
        const rows = items.flatMap((i) => (i.kind === 'row' ? [i.row] : []));
        const entries = items.flatMap((i) => (i.kind === 'outcome' ? [i.entry] : []));
        try {
          await store.append(rows);
        } catch (err) {
          throw writeError(err, 'shards');
        }
        for (const row of rows) if (store.has(row.id)) tally.addRow(row);
        try {
          await outcomes.append(entries);
        } catch (err) {
          throw writeError(err, 'the outcome log');
        }
        for (const entry of entries) tally.addOutcome(countedPart(entry));
        changed = true;
        if (rows.length > 0) rowsChangedSinceExport = true;
        if (entries.length > 0) outcomesChangedSinceExport = true;
      },
    });

    // Distinct candidate ids per category on the `generated` topic. It is read
    // forward (from where the last read ended) at init and at every flush — the
    // engine flushes when the pipeline is idle and before it stops, and aborts
    // topic reads before `close`, so the last flush has seen every candidate.
    const generatedIds = new IdTable();
    const generatedPerCategory = new Map<string, number>();
    const generatedPosition: TopicPositions = new Map();
    let followerError: string | undefined = config.generatedTopic ? 'not read yet' : undefined;

    /**
     * A read that fails (the topic is not there yet, no leader for it yet, an
     * outage) is simply tried again at the next flush; until one works, the
     * manifest says the generated counts are not known instead of reporting zeros.
     */
    async function readGenerated(): Promise<void> {
      if (!config.generatedTopic || ctx.signal.aborted) return;
      try {
        for await (const record of ctx.readTopic(config.generatedTopic, {
          signal: ctx.signal,
          resume: generatedPosition,
        })) {
          if (record.type !== 'candidate') continue;
          const known = generatedIds.size;
          if (generatedIds.add(record.id) === known) {
            generatedPerCategory.set(record.category, (generatedPerCategory.get(record.category) ?? 0) + 1);
            changed = true;
          }
        }
        followerError = undefined;
      } catch (err) {
        if (ctx.signal.aborted) return;
        followerError = (err as Error).message;
        ctx.logger.warn('cannot read the generated topic yet; trying again at the next flush', {
          topic: config.generatedTopic,
          error: followerError,
        });
      }
    }

    function generatedCounts(): { counts: Record<string, number>; known: boolean; notes: string[] } {
      if (!config.generatedTopic) {
        return {
          counts: {},
          known: false,
          notes: ['`generated` counts were not read (config generatedTopic is empty)'],
        };
      }
      if (followerError !== undefined) {
        return {
          counts: {},
          known: false,
          notes: [`the \`${config.generatedTopic}\` topic could not be read: ${followerError}`],
        };
      }
      const counts: Record<string, number> = Object.fromEntries(generatedPerCategory);
      for (const [category, n] of Object.entries(tally.filteredCounts(generatedIds))) {
        counts[category] = (counts[category] ?? 0) + n;
      }
      return { counts, known: true, notes: [] };
    }

    // The card's checks and decontamination sections, re-read only when rows or outcomes changed.
    let qualityCache: { rows: number; outcomes: number; summary: QualitySummary } | undefined;
    async function quality(): Promise<QualitySummary> {
      const key = {
        rows: store.shards().reduce((n, s) => n + s.rows, 0),
        outcomes: outcomeFiles.reduce((n, f) => n + f.rows, 0),
      };
      if (qualityCache?.rows !== key.rows || qualityCache.outcomes !== key.outcomes) {
        qualityCache = { ...key, summary: await summariseQuality(store, dir) };
      }
      return qualityCache.summary;
    }

    async function publish(): Promise<void> {
      const started = Date.now();
      try {
        await store.checkpoint();
      } catch (err) {
        throw writeError(err, 'shards');
      }
      // A row added since the last export can supersede a logged outcome, so
      // the outcome files follow row changes too.
      const rowsChanged = rowsChangedSinceExport;
      if (rowsChanged) {
        try {
          let rows: RowSource = store;
          if (config.mixture) {
            const planned = await planMixture(store, {
              seed: config.mixture.seed,
              upsample: config.mixture.upsample,
              ...(config.mixture.total !== undefined ? { total: config.mixture.total } : {}),
              ...(config.mixture.sources ? { sources: config.mixture.sources } : {}),
              ...(config.mixture.categories ? { categories: config.mixture.categories } : {}),
            });
            rows = planned.source;
            mixture = planned.summary;
            for (const s of mixture.missingSources) {
              if (warnedMissing.has(s)) continue;
              warnedMissing.add(s);
              ctx.logger.warn(
                `mixture: source '${s}' has no accepted rows (yet); the weights are shared among the sources that have some`,
                {
                  source: s,
                },
              );
            }
          }
          exports = await writeExports(dir, rows, config.formats, {
            ...(config.systemPrompt ? { systemPrompt: config.systemPrompt } : {}),
          });
        } catch (err) {
          throw writeError(err, 'the exports');
        }
        rowsChangedSinceExport = false;
      }
      if (config.outcomeFiles && (outcomesChangedSinceExport || rowsChanged)) {
        try {
          outcomeFiles = await writeOutcomeFiles(dir, outcomeLogPath, tally);
        } catch (err) {
          throw writeError(err, 'rejected.jsonl and duplicates.jsonl');
        }
        outcomesChangedSinceExport = false;
      }
      const generated = generatedCounts();
      const manifest = buildManifest({
        runId: ctx.runId,
        pipeline: ctx.pipeline,
        createdAt,
        generated: generated.counts,
        generatedKnown: generated.known,
        tally,
        shards: store.shards(),
        exports,
        outcomeFiles,
        notes: generated.notes,
        ...(mixture ? { mixture } : {}),
      });
      try {
        await writeFileAtomic(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
        await writeFileAtomic(
          join(dir, 'README.md'),
          renderDatasetCard(manifest, config.card, await quality()),
        );
      } catch (err) {
        throw writeError(err, 'manifest.json and README.md');
      }
      changed = false;
      lastPublish = Date.now();
      lastPublishMs = lastPublish - started;
      ctx.logger.info('dataset published', {
        dir,
        rows: manifest.totals.accepted,
        balanced: manifest.balanced,
        ms: lastPublish - started,
      });
    }

    function enqueue(key: string, item: Item): Promise<void> {
      const known = pending.get(key);
      if (known) return known;
      const done = group.add(item).finally(() => pending.delete(key));
      pending.set(key, done);
      return done;
    }

    return {
      kind: 'handler',
      // Records only wait here for the next group commit; let a whole group
      // gather while the previous one is being written.
      concurrency: Math.max(16, config.flushEvery * 2),
      async init() {
        const previous = await readPreviousManifest(dir);
        if (previous?.createdAt) createdAt = previous.createdAt;
        for (const [category, stats] of Object.entries(previous?.categories ?? {})) {
          if (stats.target !== undefined) tally.setTarget(category, stats.target);
        }
        const rows = await store.load(
          (row) => tally.addRow(row),
          (message) => ctx.logger.warn(message),
        );
        const logged = await outcomes.load((entry) => tally.addOutcome(countedPart(entry)));
        await readGenerated();
        ctx.logger.info('dataset sink ready', { dir, rows, outcomes: logged });
      },
      async handle(record) {
        const c = classifyRecord(record);
        if (c.kind === 'ignored') {
          ctx.logger.warn('record not counted by the dataset sink', {
            id: record.id,
            type: record.type,
            why: c.why,
          });
          return undefined;
        }
        if (c.kind === 'row') {
          if (c.target !== undefined) tally.setTarget(c.row.category, c.target);
          if (store.has(c.row.id)) return undefined;
          await enqueue(`row:${c.row.id}`, { kind: 'row', row: c.row });
          return undefined;
        }
        const entry = c.entry;
        if (entry.target !== undefined) tally.setTarget(entry.category, entry.target);
        if (entry.status !== 'taskDlq' && tally.isAccepted(entry.id)) return undefined;
        if (tally.knowsOutcome(entry)) return undefined;
        await enqueue(`${entry.status}:${entry.id}:${entry.reason ?? ''}`, { kind: 'outcome', entry });
        return undefined;
      },
      async flush() {
        await group.flush();
        await readGenerated();
        if (changed && Date.now() - lastPublish >= publishGap(config.publishIntervalMs, lastPublishMs)) {
          await lock.run(publish);
        }
      },
      async close() {
        await group.flush();
        await lock.run(publish);
      },
    };
  },
});

const PUBLISH_GAP_FACTOR = 19;

/**
 * How long after an update of the folder the next one may start: at least
 * `publishIntervalMs` (0 = at every idle flush), and on a large folder, whose
 * exports, outcome files and card are rewritten from every row, at least
 * `PUBLISH_GAP_FACTOR` times the last update took — so updates take at most
 * 5% of a long run instead of a share that grows with the dataset.
 */
export function publishGap(intervalMs: number, lastPublishMs: number): number {
  return intervalMs === 0 ? 0 : Math.max(intervalMs, PUBLISH_GAP_FACTOR * lastPublishMs);
}
