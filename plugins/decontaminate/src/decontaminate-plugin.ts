import { isAbsolute, resolve } from 'node:path';
import { definePlugin, ENGINE_API, TaneError, type TaneRecord } from '@tane/core';
import pkg from '../package.json' with { type: 'json' };
import { buildContaminationIndex } from './build-contamination-index.ts';
import type { ContaminationIndex, ContaminationMatch } from './contamination-index.ts';
import { type DecontaminateConfig, decontaminateConfigSchema } from './decontaminate-config.ts';

/** `meta.outcome.detail` of a contaminated row. */
export type ContaminationDetail = ContaminationMatch;

function rowTexts(record: TaneRecord, fields: readonly string[], stage: string) {
  const data = record.data as Record<string, unknown> | null;
  if (data === null || typeof data !== 'object' || typeof data.instruction !== 'string') {
    throw new TaneError('INPUT_INVALID', `record ${record.id} has no data.instruction string`, {
      where: `stage ${stage}`,
      hint: 'decontaminate expects candidate records with data {instruction, input, output}; check the stage that routes to it',
    });
  }
  const texts: { field: string; text: string }[] = [];
  for (const field of fields) {
    const v = data[field];
    if (typeof v === 'string' && v !== '') texts.push({ field, text: v });
  }
  return texts;
}

/**
 * The decontaminate stage: routes a row that shares n-grams with a test item
 * to `contaminated` (outcome `rejected`, reason `contaminated`), every other
 * row to `clean`, unchanged.
 */
export const decontaminatePlugin = definePlugin<DecontaminateConfig>({
  name: pkg.name,
  version: pkg.version,
  engineApi: ENGINE_API,
  summary:
    'Removes rows that overlap benchmark test sets (n-gram decontamination: jaster / llm-jp-eval, JGLUE)',
  description: [
    'Indexes the n-grams of every test item in the given files (llm-jp-eval task JSON, JGLUE JSON lines, SQuAD-style JSON, plain JSON lines)',
    'and checks the instruction, input and output of every row against them, as GPT-3 and NeMo Curator do:',
    'character n-grams (default 13) for Japanese, word n-grams (default 13) for English, on NFKC lower-cased text without punctuation.',
    'N-grams found in more than `maxItemsPerNgram` test items are ignored as too common.',
    'A row sharing at least `minMatches` n-grams with one item (and `minItemCoverage` of its n-grams) goes to `contaminated`',
    'with the benchmark, the item id and the overlapping span; the index is built once per worker, or read from `cacheFile`.',
  ].join(' '),
  examples: [
    {
      title: 'jaster test sets from llm-jp-eval',
      summary:
        "The preprocessed test files of llm-jp-eval's jaster, Japanese 13-character and English 13-word n-grams.",
      config: {
        testSets: [
          { path: './benchmarks/jaster/test/jcommonsenseqa.json' },
          { path: './benchmarks/jaster/test/jsquad.json' },
        ],
        cacheFile: '../.tane/decontaminate/jaster.idx',
      },
    },
    {
      title: 'JGLUE raw files and a plain JSON lines set',
      config: {
        testSets: [
          { path: './jglue/jcommonsenseqa-v1.1/valid-v1.1.json', name: 'jcommonsenseqa' },
          { path: './jglue/jsquad-v1.1/valid-v1.1.json', format: 'squad', name: 'jsquad' },
          { path: './my-eval.jsonl', format: 'jsonl', textFields: ['prompt', 'answer'], idField: 'id' },
        ],
        charNgram: 20,
        minMatches: 2,
      },
    },
  ],
  configSchema: decontaminateConfigSchema,
  routes: [
    {
      name: 'clean',
      description: 'no overlap with any test item: the record unchanged; route it to `dataset`',
    },
    {
      name: 'contaminated',
      description:
        "overlaps a test item: `meta.outcome = {status: 'rejected', reason: 'contaminated', detail: {benchmark, itemId, field, span, matches, coverage, ngram}}`; route it to `rejected`",
    },
  ],
  accepts: ['candidate'],
  emits: ['candidate'],
  create(config, ctx) {
    const at = (p: string) => (isAbsolute(p) ? p : resolve(ctx.baseDir, p));
    const specs = config.testSets.map((s) => ({ ...s, path: at(s.path) }));
    let index: ContaminationIndex | undefined;
    const rule = { minMatches: config.minMatches, minItemCoverage: config.minItemCoverage };
    return {
      kind: 'handler',
      // Pure CPU work against a read-only index: order does not matter.
      concurrency: 64,
      async init() {
        const built = await buildContaminationIndex(
          specs,
          {
            charNgram: config.charNgram,
            wordNgram: config.wordNgram,
            maxItemsPerNgram: config.maxItemsPerNgram,
            maxNgrams: config.maxNgrams,
          },
          config.cacheFile ? at(config.cacheFile) : undefined,
        );
        index = built.index;
        const stats = index.stats();
        ctx.logger.info('decontamination index ready', {
          items: stats.items,
          ngrams: stats.ngrams,
          commonNgrams: stats.commonNgrams,
          tableMB: Math.round(stats.tableBytes / 1e5) / 10,
          fromCache: built.fromCache,
          ms: built.ms,
        });
      },
      async handle(record, rctx) {
        if (!index) {
          throw new TaneError('STAGE_ERROR', 'the decontamination index is not built', {
            where: `stage ${rctx.stage}`,
            hint: 'the stage received a record before init finished; report this as a bug',
          });
        }
        const match = index.check(rowTexts(record, config.fields, rctx.stage), rule);
        if (!match) return { route: 'clean', record };
        const outcome = { status: 'rejected', reason: 'contaminated', detail: match, stage: rctx.stage };
        return { route: 'contaminated', record: { ...record, meta: { ...record.meta, outcome } } };
      },
    };
  },
});
