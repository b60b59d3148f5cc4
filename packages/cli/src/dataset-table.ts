import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { LoadedPipeline } from '@tane/core/engine';

interface CategoryCounts {
  generated?: number;
  accepted?: number;
  repaired?: number;
  rejected?: number;
  duplicates?: number;
  dlq?: number;
  target?: number;
}

/** Where the pipeline's dataset-sink stage writes (its `dir`, else `<dataDir>/datasets/<runId>`). */
export function datasetDirOf(pipeline: LoadedPipeline, dataDir: string, runId: string): string | undefined {
  for (const [id, plugin] of Object.entries(pipeline.plugins)) {
    if (plugin.definition.name !== '@tane/plugin-dataset-sink') continue;
    const dir = pipeline.configs[id]?.dir;
    return typeof dir === 'string'
      ? resolve(pipeline.spec.baseDir, dir.replaceAll('{runId}', runId))
      : join(resolve(dataDir), 'datasets', runId);
  }
  return undefined;
}

/**
 * The per-category table printed after a run, from the dataset's manifest.json.
 * `targets` overrides the manifest's targets (e.g. `tane demo --target N`).
 */
export function renderCategoryTable(
  datasetDir: string,
  targets?: Record<string, number>,
): string | undefined {
  const file = join(datasetDir, 'manifest.json');
  if (!existsSync(file)) return undefined;
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as {
    categories?: Record<string, CategoryCounts>;
    totals?: CategoryCounts;
    balanced?: boolean;
  };
  const cols = ['generated', 'accepted', 'repaired', 'rejected', 'duplicates', 'dlq'] as const;
  const rows: string[][] = [['category', ...cols, 'target']];
  for (const [id, c] of Object.entries(manifest.categories ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    const target = targets?.[id] ?? c.target;
    rows.push([id, ...cols.map((k) => String(c[k] ?? 0)), target === undefined ? '' : String(target)]);
  }
  const t = manifest.totals ?? {};
  rows.push(['total', ...cols.map((k) => String(t[k] ?? 0)), '']);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const sep = widths.map((w) => '─'.repeat(w)).join('  ');
  const body = rows.slice(1, -1).map(line);
  const balance =
    manifest.balanced === undefined
      ? ''
      : manifest.balanced
        ? '\naccounting balances: generated = accepted + rejected + duplicates + dlq in every category'
        : '\nWARNING: accounting does not balance (records still in flight, or a bug): see manifest.json';
  return [line(rows[0]!), sep, ...body, sep, line(rows[rows.length - 1]!)].join('\n') + balance;
}
