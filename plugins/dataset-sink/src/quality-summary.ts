import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { DatasetRow } from './dataset-row.ts';

/** What the card says about programmatic checks and benchmark decontamination. */
export interface QualitySummary {
  /** Per category: dataset rows, and those a verifier stage marked verified (`<stage>:verified` in lineage). */
  verification: Record<string, { rows: number; verified: number; checks: Record<string, number> }>;
  /** Rows of the dataset that went through a decontaminate stage (its plugin is in their lineage). */
  decontaminationChecked: number;
  /** Per benchmark: rows removed as contaminated, and a few of them. */
  contamination: Record<
    string,
    { removed: number; examples: { id: string; category: string; itemId: string; span: string }[] }
  >;
}

/** Where the summary reads from: the dataset's rows (by category) and its folder (for `rejected.jsonl`). */
export interface QualitySource {
  categories(): { category: string }[];
  rows(category: string): AsyncIterable<DatasetRow[]>;
}

const EXAMPLES_PER_BENCHMARK = 3;
const DECONTAMINATE_PLUGIN = '@tane/plugin-decontaminate@';

/**
 * Reads the verified share per category from the rows' lineage, and the
 * contaminated rows per benchmark from `rejected.jsonl` (outcome reason
 * `contaminated`, detail `{benchmark, itemId, span}`), for the dataset card.
 *
 * @example
 * ```ts
 * const quality = await summariseQuality(store, dir);
 * renderDatasetCard(manifest, options, quality);
 * ```
 */
export async function summariseQuality(source: QualitySource, dir: string): Promise<QualitySummary> {
  const verification: QualitySummary['verification'] = {};
  let decontaminationChecked = 0;
  for (const { category } of source.categories()) {
    const v = { rows: 0, verified: 0, checks: {} as Record<string, number> };
    for await (const batch of source.rows(category)) {
      for (const row of batch) {
        v.rows++;
        // A row repaired after the judge is verified again: its last mark is the one that counts.
        let lastMark: { checks?: unknown } | undefined;
        let decontaminated = false;
        for (const entry of row.lineage) {
          if (entry.stage.endsWith(':verified')) lastMark = entry as { checks?: unknown };
          if (entry.plugin.startsWith(DECONTAMINATE_PLUGIN)) decontaminated = true;
        }
        if (lastMark) {
          v.verified++;
          const checks = Array.isArray(lastMark.checks) ? lastMark.checks : [];
          for (const c of checks) v.checks[String(c)] = (v.checks[String(c)] ?? 0) + 1;
        }
        if (decontaminated) decontaminationChecked++;
      }
    }
    verification[category] = v;
  }
  const contamination: QualitySummary['contamination'] = {};
  const rejected = join(dir, 'rejected.jsonl');
  if (existsSync(rejected)) {
    const lines = createInterface({
      input: createReadStream(rejected, 'utf8'),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    for await (const line of lines) {
      if (!line.includes('"contaminated"')) continue;
      let row: {
        id?: string;
        category?: string;
        meta?: { outcome?: { reason?: string; detail?: Record<string, unknown> } };
      };
      try {
        row = JSON.parse(line);
      } catch {
        continue;
      }
      const outcome = row.meta?.outcome;
      if (outcome?.reason !== 'contaminated') continue;
      const benchmark = String(outcome.detail?.benchmark ?? 'unknown');
      const b = (contamination[benchmark] ??= { removed: 0, examples: [] });
      b.removed++;
      if (b.examples.length < EXAMPLES_PER_BENCHMARK) {
        b.examples.push({
          id: String(row.id ?? ''),
          category: String(row.category ?? ''),
          itemId: String(outcome.detail?.itemId ?? ''),
          span: String(outcome.detail?.span ?? ''),
        });
      }
    }
  }
  return { verification, decontaminationChecked, contamination };
}

function cell(text: string | number): string {
  return String(text).replace(/\|/g, '\\|').replace(/\s+/g, ' ');
}

const pct = (n: number, d: number) => (d === 0 ? '–' : `${Math.round((n / d) * 1000) / 10}%`);

/**
 * The card's "Programmatic checks" and "Benchmark decontamination" sections
 * (empty when the pipeline had neither stage).
 */
export function renderQualitySections(q: QualitySummary): string[] {
  const out: string[] = [];
  const categories = Object.entries(q.verification);
  const verifiedTotal = categories.reduce((n, [, v]) => n + v.verified, 0);
  if (verifiedTotal > 0) {
    const rows = categories.reduce((n, [, v]) => n + v.rows, 0);
    out.push('## Programmatic checks', '');
    const unchecked = categories.filter(([, v]) => v.verified === 0).length;
    out.push(
      'Rows a verifier stage checked and passed (SQL run on SQLite, arithmetic recomputed, JSON keys, formulas evaluated, language, length, patterns), per category. Rows that failed a check went back to the repairer with the error, and were checked again.',
      '',
      '| category | rows | verified | share | checks passed |',
      '|---|--:|--:|--:|---|',
    );
    for (const [id, v] of categories) {
      if (v.verified === 0) continue;
      const checks = Object.entries(v.checks)
        .sort()
        .map(([c, n]) => `${c} ${n}`)
        .join(', ');
      out.push(`| ${cell(id)} | ${v.rows} | ${v.verified} | ${pct(v.verified, v.rows)} | ${checks} |`);
    }
    out.push(`| **total** | ${rows} | ${verifiedTotal} | ${pct(verifiedTotal, rows)} | |`, '');
    if (unchecked > 0) {
      out.push(
        `${unchecked} other categor${unchecked === 1 ? 'y has' : 'ies have'} no verified rows (no checks declared, or nothing a check could read); their rows are in the total.`,
        '',
      );
    }
  }
  const benchmarks = Object.entries(q.contamination);
  if (q.decontaminationChecked > 0 || benchmarks.length > 0) {
    const removed = benchmarks.reduce((n, [, b]) => n + b.removed, 0);
    const checked = q.decontaminationChecked + removed;
    out.push('## Benchmark decontamination', '');
    out.push(
      `${checked} rows were checked against the test sets by n-gram overlap; ${removed} were removed as contaminated${removed > 0 ? ' (they are in `rejected.jsonl` with the benchmark, the test item and the overlapping span). Benchmarks that removed nothing are not listed.' : '.'}`,
      '',
    );
    if (benchmarks.length > 0)
      out.push('| benchmark | rows checked | rows removed | example spans |', '|---|--:|--:|---|');
    for (const [name, b] of benchmarks) {
      const spans = b.examples.map((e) => `\`${cell(e.itemId)}\`: “${cell(e.span)}”`).join('<br>');
      out.push(`| ${cell(name)} | ${checked} | ${b.removed} | ${spans} |`);
    }
    if (benchmarks.length > 0) out.push('');
  }
  return out;
}
