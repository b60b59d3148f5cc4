import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TaneError } from '@tane/core';
import type { DatasetManifest } from './manifest.ts';

/** One line of the after-run table. */
export interface DatasetSummaryRow {
  category: string;
  target?: number;
  generated: number;
  accepted: number;
  repaired: number;
  rejected: number;
  duplicates: number;
  dlq: number;
  balanced: boolean;
}

/** What {@link summariseDataset} returns. */
export interface DatasetSummary {
  dir: string;
  runId: string;
  pipeline: string;
  updatedAt: string;
  balanced: boolean;
  categories: DatasetSummaryRow[];
  totals: DatasetSummaryRow;
  manifest: DatasetManifest;
}

/**
 * Reads a dataset folder's `manifest.json` for the per-category table the
 * CLI prints after a run.
 *
 * @example
 * ```ts
 * const summary = await summariseDataset('.tane/datasets/ja-business');
 * console.log(formatDatasetSummary(summary));
 * ```
 */
export async function summariseDataset(dir: string): Promise<DatasetSummary> {
  const path = join(dir, 'manifest.json');
  let manifest: DatasetManifest;
  try {
    manifest = JSON.parse(await readFile(path, 'utf8')) as DatasetManifest;
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new TaneError(
      missing ? 'DATASET_NOT_FOUND' : 'DATASET_INVALID',
      missing ? `no dataset manifest in ${dir}` : `cannot read ${path}: ${(err as Error).message}`,
      {
        where: path,
        hint: missing
          ? 'run a pipeline with a @tane/plugin-dataset-sink stage first, or give the folder set as its `dir`'
          : 'the manifest is rewritten when the sink flushes; run the pipeline again to rebuild it',
        cause: err,
      },
    );
  }
  const row = (category: string, s: DatasetManifest['totals']): DatasetSummaryRow => ({
    category,
    ...(s.target === undefined ? {} : { target: s.target }),
    generated: s.generated,
    accepted: s.accepted,
    repaired: s.repaired,
    rejected: s.rejected,
    duplicates: s.duplicates,
    dlq: s.dlq,
    balanced: s.balanced,
  });
  return {
    dir,
    runId: manifest.runId,
    pipeline: manifest.pipeline,
    updatedAt: manifest.updatedAt,
    balanced: manifest.balanced,
    categories: Object.entries(manifest.categories).map(([id, s]) => row(id, s)),
    totals: row('total', manifest.totals),
    manifest,
  };
}

/**
 * The summary as a plain-text table: one line per category, a total line,
 * and `!` after a category whose accounting does not balance.
 *
 * @example
 * ```ts
 * console.log(formatDatasetSummary(await summariseDataset(dir)));
 * ```
 */
export function formatDatasetSummary(summary: DatasetSummary): string {
  const header = ['category', 'target', 'generated', 'accepted', 'repaired', 'rejected', 'duplicates', 'dlq'];
  const lines = [...summary.categories, summary.totals].map((r) => [
    r.category + (r.balanced ? '' : ' !'),
    r.target === undefined ? '' : String(r.target),
    String(r.generated),
    String(r.accepted),
    String(r.repaired),
    String(r.rejected),
    String(r.duplicates),
    String(r.dlq),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const format = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const body = lines.map(format);
  const total = body.pop()!;
  return [
    format(header),
    rule,
    ...body,
    rule,
    total,
    '',
    summary.balanced
      ? 'every category balances: generated = accepted + rejected + duplicates + dlq'
      : '! = generated ≠ accepted + rejected + duplicates + dlq (candidates still in flight, or lost)',
  ].join('\n');
}
