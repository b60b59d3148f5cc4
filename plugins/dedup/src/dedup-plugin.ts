import {
  definePlugin,
  ENGINE_API,
  readUntilDone,
  TaneError,
  type TaneRecord,
  type TopicPositions,
} from '@tane/core';
import pkg from '../package.json' with { type: 'json' };
import { type DedupConfig, dedupConfigSchema } from './dedup-config.ts';
import { type DedupExample, DedupIndex } from './dedup-index.ts';

function exampleOf(record: TaneRecord, stage: string): DedupExample {
  const data = record.data as Record<string, unknown> | null;
  if (data === null || typeof data !== 'object' || typeof data.instruction !== 'string') {
    throw new TaneError('INPUT_INVALID', `record ${record.id} has no data.instruction string`, {
      where: `stage ${stage}`,
      hint: 'dedup expects candidate records with data {instruction, input, output}; check the stage that routes to it',
    });
  }
  return data;
}

/**
 * The dedup stage: routes a candidate to `unique` (outcome `accepted`) or
 * `duplicate` (outcome `duplicate`, with the id it duplicates).
 */
export const dedupPlugin = definePlugin<DedupConfig>({
  name: pkg.name,
  version: pkg.version,
  engineApi: ENGINE_API,
  summary: 'Removes exact and near-duplicate examples (MinHash-LSH on character n-grams, optional ROUGE-L)',
  description: [
    'Checks every candidate against the seeds, the examples already in the dataset and the candidates it let through before.',
    'Exact duplicates are found by a hash of the normalised text (NFKC, lower-case, without whitespace and punctuation, Japanese included);',
    'near duplicates by MinHash-LSH on character n-grams, which needs no word segmentation and so works for Japanese.',
    "With `rougeL.enabled`, the LSH candidates are judged by ROUGE-L F1 instead (Self-Instruct's rule), with a character tokenizer for CJK text.",
    'The index is rebuilt at start from the `seeds` and `dataset` topics, so a restart or a new run still catches duplicates of earlier runs.',
    'Runs with concurrency 1 as an ordered stage: records come in source order (not in the order the judge finished them), and the same order always gives the same decisions, on one worker or many.',
    'When partitions move to a worker, it first indexes the rows their previous owner accepted. With the default per-category scope every decision is reproducible; `scope: global` compares across partitions, which is reproducible only with one partition.',
  ].join(' '),
  examples: [
    { title: 'Defaults: per-category index, Jaccard ≥ 0.7 on 3-grams', config: {} },
    {
      title: "Self-Instruct's ROUGE-L rule on instructions only",
      summary:
        'Compares instructions only, and keeps a new one only if its ROUGE-L F1 to every similar kept one is below 0.7.',
      config: { fields: ['instruction'], rougeL: { enabled: true, threshold: 0.7 } },
    },
    {
      title: 'Stricter, global index',
      summary: 'One index across categories, and a lower similarity threshold.',
      config: { scope: 'global', threshold: 0.6 },
    },
  ],
  configSchema: dedupConfigSchema,
  routes: [
    {
      name: 'unique',
      description: "not a duplicate: `meta.outcome = {status: 'accepted'}`; route it to the `dataset` topic",
    },
    {
      name: 'duplicate',
      description:
        "an exact or near duplicate: `meta.outcome = {status: 'duplicate', reason: 'exact' | 'near', detail: {duplicateOf, similarity}}`; route it to `rejected`",
    },
  ],
  accepts: ['candidate'],
  emits: ['candidate'],
  create(config, ctx) {
    if (config.bands * config.rows > config.numPerm) {
      throw new TaneError(
        'CONFIG_INVALID',
        `bands × rows (${config.bands} × ${config.rows}) is larger than numPerm (${config.numPerm})`,
        {
          where: `stage ${ctx.stage}`,
          hint: 'lower bands or rows, or raise numPerm so that bands × rows ≤ numPerm',
        },
      );
    }
    const index = new DedupIndex({
      fields: config.fields,
      ngram: config.ngram,
      numPerm: config.numPerm,
      bands: config.bands,
      rows: config.rows,
      threshold: config.threshold,
      rougeL: config.rougeL,
      ...(config.minSharedBands === undefined ? {} : { minSharedBands: config.minSharedBands }),
      exhaustiveBelow: config.exhaustiveBelow,
      bucketCap: config.bucketCap,
    });
    const scopeOf = (record: TaneRecord): string => (config.scope === 'global' ? '' : record.category);

    // Where the reader of the dataset topic has got to, so a catch-up reads only what is new.
    const datasetPosition: TopicPositions = new Map();

    async function indexTopic(logical: string, resume?: TopicPositions): Promise<number> {
      let n = 0;
      for await (const record of ctx.readTopic(logical, {
        signal: ctx.signal,
        ...(resume ? { resume } : {}),
      })) {
        const data = record.data as Record<string, unknown> | null;
        if (data === null || typeof data !== 'object' || typeof data.instruction !== 'string') continue;
        index.add(record.id, data, scopeOf(record));
        n++;
      }
      return n;
    }

    return {
      kind: 'handler',
      // The index must see records one at a time, in order; `handle` does no
      // I/O, so check-and-insert is atomic even if the pipeline raises this.
      concurrency: 1,
      // Decisions depend on what came first: take records in source order, never in the
      // order the judge's calls happened to finish, so every run decides the same way.
      ordered: true,
      async init() {
        const started = Date.now();
        const seeds = config.seedsTopic ? await indexTopic(config.seedsTopic) : 0;
        const accepted = config.datasetTopic ? await indexTopic(config.datasetTopic, datasetPosition) : 0;
        ctx.logger.info('dedup index rebuilt', { seeds, accepted, ms: Date.now() - started });
      },
      async onPartitionsAssigned() {
        // Partitions that moved here bring the rows their previous owner accepted (on this
        // worker's dataset topic reader, not in its index yet): index them before deciding.
        if (!config.datasetTopic) return;
        let added = 0;
        // Retried until it works: deciding on an index without those rows would keep duplicates.
        await readUntilDone(
          ctx,
          config.datasetTopic,
          async () => {
            added += await indexTopic(config.datasetTopic, datasetPosition);
          },
          ctx.signal,
        );
        if (added > 0) ctx.logger.info('dedup index caught up with the dataset topic', { added });
      },
      async handle(record, rctx) {
        const decision = index.offer(record.id, exampleOf(record, rctx.stage), scopeOf(record));
        if (decision.status === 'unique') {
          return {
            route: 'unique',
            record: {
              ...record,
              meta: { ...record.meta, outcome: { status: 'accepted', stage: rctx.stage } },
            },
          };
        }
        const outcome = {
          status: 'duplicate',
          reason: decision.reason,
          detail: {
            duplicateOf: decision.duplicateOf,
            similarity: decision.similarity,
            metric: decision.metric,
          },
          stage: rctx.stage,
        };
        return { route: 'duplicate', record: { ...record, meta: { ...record.meta, outcome } } };
      },
    };
  },
});
