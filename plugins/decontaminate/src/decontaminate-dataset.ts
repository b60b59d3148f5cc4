import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readdir, rename, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { TaneError } from '@tane/core';
import { buildContaminationIndex } from './build-contamination-index.ts';
import type {
  ContaminationIndexOptions,
  ContaminationMatch,
  ContaminationRule,
} from './contamination-index.ts';
import type { TestSetSpec } from './test-sets/load-test-set.ts';

/** What {@link decontaminateDataset} needs. */
export interface DecontaminateDatasetOptions extends ContaminationIndexOptions, ContaminationRule {
  /** A dataset folder written by the dataset sink (it has `shards/<category>/part-NNNNN.jsonl`). */
  datasetDir: string;
  /** Where the cleaned copy and the report go (must not be `datasetDir`). */
  outDir: string;
  testSets: TestSetSpec[];
  /** Row fields compared (default instruction, input, output). */
  fields?: ('instruction' | 'input' | 'output')[];
  /** Example spans kept per benchmark in the report (default 5). */
  examplesPerBenchmark?: number;
  cacheFile?: string;
}

/** Per benchmark: what was indexed, and what it removed. */
export interface BenchmarkReport {
  items: number;
  ngrams: number;
  /** Items shorter than n units: they cannot match anything. */
  itemsWithoutNgrams: number;
  rowsRemoved: number;
  examples: { rowId: string; category: string; itemId: string; field: string; span: string }[];
}

/** `decontamination.json` of a cleaned copy. */
export interface DecontaminationReport {
  datasetDir: string;
  outDir: string;
  createdAt: string;
  options: Required<ContaminationIndexOptions> & Required<ContaminationRule> & { fields: string[] };
  testSets: { benchmark?: string; path: string }[];
  rowsChecked: number;
  rowsRemoved: number;
  rowsKept: number;
  /** Lines of the shards that were not rows (unparseable, or without instruction/output). */
  linesSkipped: number;
  categories: Record<string, { checked: number; removed: number }>;
  benchmarks: Record<string, BenchmarkReport>;
  index: { ngrams: number; commonNgrams: number; tableBytes: number; buildMs: number; fromCache: boolean };
  checkMs: number;
}

async function shardFiles(datasetDir: string): Promise<string[]> {
  const root = join(datasetDir, 'shards');
  if (!existsSync(root)) {
    throw new TaneError('INPUT_INVALID', `${datasetDir} has no shards/ folder`, {
      where: datasetDir,
      hint: 'point at a dataset folder written by the dataset-sink stage (it has manifest.json and shards/)',
    });
  }
  const out: string[] = [];
  for (const category of (await readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory())) {
    const dir = join(root, category.name);
    for (const f of (await readdir(dir)).filter((n) => /^part-\d+\.jsonl$/.test(n)).sort()) {
      out.push(join(dir, f));
    }
  }
  return out.sort();
}

/**
 * Checks every row of a dataset built earlier against test sets, and writes a
 * cleaned copy to `outDir`: `shards/` without the contaminated rows (same
 * layout), `contaminated.jsonl` (each removed row with its match),
 * `decontamination.json` and `decontamination.md` (per benchmark: items,
 * rows removed, example spans). The dataset folder itself is not changed.
 *
 * @example
 * ```ts
 * const report = await decontaminateDataset({
 *   datasetDir: '.tane/datasets/ja-business', outDir: '.tane/datasets/ja-business.clean',
 *   testSets: [{ path: 'jaster/jcommonsenseqa.json' }],
 * });
 * report.rowsRemoved;
 * ```
 */
export async function decontaminateDataset(
  options: DecontaminateDatasetOptions,
): Promise<DecontaminationReport> {
  const files = await shardFiles(options.datasetDir);
  const indexOptions = {
    charNgram: options.charNgram ?? 13,
    wordNgram: options.wordNgram ?? 13,
    maxItemsPerNgram: options.maxItemsPerNgram ?? 10,
    maxNgrams: options.maxNgrams ?? 20_000_000,
  };
  const rule = { minMatches: options.minMatches ?? 1, minItemCoverage: options.minItemCoverage ?? 0 };
  const fields = options.fields ?? ['instruction', 'input', 'output'];
  const built = await buildContaminationIndex(options.testSets, indexOptions, options.cacheFile);
  const stats = built.index.stats();
  const perBenchmark: Record<string, BenchmarkReport> = {};
  for (const [name, s] of Object.entries(stats.benchmarks)) {
    perBenchmark[name] = {
      items: s.items,
      ngrams: s.ngrams,
      itemsWithoutNgrams: s.itemsWithoutNgrams,
      rowsRemoved: 0,
      examples: [],
    };
  }
  const categories: DecontaminationReport['categories'] = {};
  const keepExamples = options.examplesPerBenchmark ?? 5;
  let checked = 0;
  let removed = 0;
  let skipped = 0;
  const started = Date.now();

  await mkdir(options.outDir, { recursive: true });
  const contaminatedTmp = join(options.outDir, `contaminated.jsonl.${process.pid}.tmp`);
  const contaminated: string[] = [];
  for (const file of files) {
    const kept: string[] = [];
    const lines = createInterface({
      input: createReadStream(file, 'utf8'),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    let lineNo = 0;
    for await (const line of lines) {
      lineNo++;
      if (line.trim() === '') continue;
      let row: Record<string, unknown>;
      try {
        row = JSON.parse(line) as Record<string, unknown>;
      } catch {
        skipped++;
        continue;
      }
      if (typeof row.instruction !== 'string' || typeof row.output !== 'string') {
        skipped++;
        continue;
      }
      const category = typeof row.category === 'string' ? row.category : 'unknown';
      const c = categories[category] ?? { checked: 0, removed: 0 };
      categories[category] = c;
      checked++;
      c.checked++;
      const texts = fields
        .map((field): { field: string; text: unknown } => ({ field, text: row[field] }))
        .filter((t): t is { field: string; text: string } => typeof t.text === 'string' && t.text !== '');
      const match: ContaminationMatch | undefined = built.index.check(texts, rule);
      if (!match) {
        kept.push(line);
        continue;
      }
      removed++;
      c.removed++;
      const b = perBenchmark[match.benchmark]!;
      b.rowsRemoved++;
      const rowId = typeof row.id === 'string' ? row.id : `${relative(options.datasetDir, file)}:${lineNo}`;
      if (b.examples.length < keepExamples) {
        b.examples.push({ rowId, category, itemId: match.itemId, field: match.field, span: match.span });
      }
      contaminated.push(
        JSON.stringify({
          ...row,
          meta: {
            ...(typeof row.meta === 'object' && row.meta !== null ? row.meta : {}),
            outcome: {
              status: 'rejected',
              reason: 'contaminated',
              detail: match,
              stage: 'tane decontaminate',
            },
          },
        }),
      );
    }
    const target = join(options.outDir, relative(options.datasetDir, file));
    await mkdir(join(target, '..'), { recursive: true });
    await writeFile(`${target}.tmp`, kept.length > 0 ? `${kept.join('\n')}\n` : '');
    await rename(`${target}.tmp`, target);
  }
  await writeFile(contaminatedTmp, contaminated.length > 0 ? `${contaminated.join('\n')}\n` : '');
  await rename(contaminatedTmp, join(options.outDir, 'contaminated.jsonl'));

  const report: DecontaminationReport = {
    datasetDir: options.datasetDir,
    outDir: options.outDir,
    createdAt: new Date().toISOString(),
    options: { ...indexOptions, ...rule, fields },
    testSets: options.testSets.map((s) => ({ ...(s.name ? { benchmark: s.name } : {}), path: s.path })),
    rowsChecked: checked,
    rowsRemoved: removed,
    rowsKept: checked - removed,
    linesSkipped: skipped,
    categories,
    benchmarks: perBenchmark,
    index: {
      ngrams: stats.ngrams,
      commonNgrams: stats.commonNgrams,
      tableBytes: stats.tableBytes,
      buildMs: built.ms,
      fromCache: built.fromCache,
    },
    checkMs: Date.now() - started,
  };
  await writeFile(join(options.outDir, 'decontamination.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(join(options.outDir, 'decontamination.md'), renderDecontaminationReport(report));
  return report;
}

function cell(text: string | number): string {
  return String(text).replace(/\|/g, '\\|').replace(/\s+/g, ' ');
}

/**
 * The report as Markdown: one table line per benchmark (items, rows checked,
 * rows removed) and, per benchmark, example spans.
 */
export function renderDecontaminationReport(report: DecontaminationReport): string {
  const o = report.options;
  const out = [
    '# Benchmark decontamination',
    '',
    `${report.rowsChecked} rows checked, **${report.rowsRemoved} removed** as contaminated, ${report.rowsKept} kept` +
      (report.linesSkipped > 0
        ? ` (${report.linesSkipped} shard lines were not rows and were skipped).`
        : '.'),
    '',
    `Rule: a row is contaminated when it shares at least ${o.minMatches} n-gram(s) with one test item` +
      `${o.minItemCoverage > 0 ? ` and at least ${Math.round(o.minItemCoverage * 100)}% of the item's n-grams` : ''}: ` +
      `character ${o.charNgram}-grams for Japanese, word ${o.wordNgram}-grams for English, on NFKC lower-cased text without punctuation; ` +
      `n-grams in more than ${o.maxItemsPerNgram} test items are ignored (${report.index.commonNgrams} of ${report.index.ngrams}). Fields: ${o.fields.join(', ')}.`,
    '',
    '| benchmark | test items | n-grams | rows checked | rows removed |',
    '|---|--:|--:|--:|--:|',
    ...Object.entries(report.benchmarks).map(
      ([name, b]) =>
        `| ${cell(name)} | ${b.items} | ${b.ngrams} | ${report.rowsChecked} | ${b.rowsRemoved} |`,
    ),
    '',
  ];
  const short = Object.entries(report.benchmarks).filter(([, b]) => b.itemsWithoutNgrams > 0);
  for (const [name, b] of short) {
    out.push(
      `${name}: ${b.itemsWithoutNgrams} of ${b.items} test items are shorter than ${o.charNgram} characters / ${o.wordNgram} words and cannot match anything${b.ngrams === 0 ? ' — check the format and --text-field, or lower --char-ngram / --word-ngram' : ''}.`,
    );
  }
  if (short.length > 0) out.push('');
  for (const [name, b] of Object.entries(report.benchmarks)) {
    if (b.examples.length === 0) continue;
    out.push(
      `## ${name}`,
      '',
      '| row | category | test item | field | overlapping span |',
      '|---|---|---|---|---|',
    );
    for (const e of b.examples) {
      out.push(
        `| ${cell(e.rowId)} | ${cell(e.category)} | ${cell(e.itemId)} | ${e.field} | ${cell(e.span)} |`,
      );
    }
    out.push('');
  }
  out.push(
    'Removed rows, each with its match, are in `contaminated.jsonl`; `shards/` holds the rows kept.',
    '',
  );
  return out.join('\n');
}
