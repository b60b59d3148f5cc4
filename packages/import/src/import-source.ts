import { statSync } from 'node:fs';
import { relative } from 'node:path';
import { contentId, stableHash32, type TaneRecord } from '@tane/core';
import pkg from '../package.json' with { type: 'json' };
import { expandPaths } from './expand-paths.ts';
import { categoryOf, mapRow } from './map-row.ts';
import { fileHash } from './open-input.ts';
import { containerOf, type ReadProgress, readRows } from './read-rows.ts';
import type { SourceSpec } from './sources-config.ts';

export const IMPORT_PLUGIN = `${pkg.name}@${pkg.version}`;

/** Per-source counts of an import. */
export interface SourceTally {
  source: string;
  files: number;
  /** Rows met in the files, readable or not (for single-turn rows: records + repeats + bad). */
  rowsRead: number;
  records: number;
  bad: number;
  /** Rows whose content repeats an earlier row of the same source (same id): imported once. */
  repeats: number;
  /** Rows that got the fallback category. */
  fallback: number;
  toJudge: number;
  categories: Record<string, number>;
}

export interface ImportEvents {
  bad?(where: string, error: string): void;
  /** Called when a file starts, with its size in bytes. */
  file?(file: string, size: number): void;
  /** Called once a file is open, with a way to see how many of its bytes are read (not for Parquet). */
  bytes?(read: () => number): void;
}

/** Whether a row of this source goes to the judge: all, none, or a seeded share chosen by id. */
export function judged(id: string, policy: SourceSpec['judge']): boolean {
  if (policy === 'all') return true;
  if (policy === 'none') return false;
  return stableHash32(`judge-sample\u0000${id}`) / 0x100000000 < policy;
}

/**
 * Streams one source as candidate records. Ids are content-derived —
 * `contentId('import', source, category, instruction, input, output)` — so importing the same
 * rows again yields the same ids (and the publisher skips them), and a row that repeats inside a
 * source is imported once. The origin stays on each record in `meta.import`.
 */
export async function* importSource(
  source: SourceSpec,
  baseDir: string,
  tally: SourceTally,
  events: ImportEvents = {},
  seen: Set<string> = new Set(),
): AsyncGenerator<TaneRecord> {
  const files = await expandPaths(source.path, baseDir, source.where);
  tally.files = files.length;
  for (const file of files) {
    const hash = await fileHash(file);
    const shown = relative(process.cwd(), file) || file;
    const container = containerOf(file);
    if (!container) continue;
    const size = statSync(file).size;
    events.file?.(shown, size);
    for await (const row of readRows(file, container, (p: ReadProgress) => events.bytes?.(p.bytesRead))) {
      tally.rowsRead += 1;
      if ('error' in row) {
        tally.bad += 1;
        events.bad?.(row.where.replace(file, shown), row.error);
        continue;
      }
      const mapped = mapRow(row.fields, source);
      if (!mapped.ok) {
        tally.bad += 1;
        events.bad?.(row.where.replace(file, shown), mapped.error);
        continue;
      }
      const { category, fallback } = categoryOf(mapped.rawCategory, source);
      for (const [turn, ex] of mapped.examples.entries()) {
        const id = contentId('import', source.name, category, ex.instruction, ex.input, ex.output);
        if (seen.has(id)) {
          tally.repeats += 1;
          continue;
        }
        seen.add(id);
        if (fallback) tally.fallback += 1;
        const judge = judged(id, source.judge);
        if (judge) tally.toJudge += 1;
        tally.records += 1;
        tally.categories[category] = (tally.categories[category] ?? 0) + 1;
        yield {
          id,
          type: 'candidate',
          category,
          data: { instruction: ex.instruction, input: ex.input, output: ex.output },
          meta: {
            // What the judge and repairer read (normally set by the category-router).
            category: {
              id: category,
              name: category,
              description: `rows imported from ${source.name}`,
              language: source.language ?? 'en',
            },
            import: {
              source: `${source.name}@${hash}`,
              license: source.license,
              ...(source.language ? { language: source.language } : {}),
              file: shown,
              row: row.row,
              ...(mapped.examples.length > 1 ? { turn } : {}),
              ...(mapped.rawCategory !== undefined ? { originalCategory: mapped.rawCategory } : {}),
              ...(fallback ? { fallbackCategory: true } : {}),
              judge,
            },
          },
          lineage: [{ plugin: IMPORT_PLUGIN, stage: 'import' }],
          headers: {},
        };
      }
    }
  }
}

export function emptyTally(source: string): SourceTally {
  return {
    source,
    files: 0,
    rowsRead: 0,
    records: 0,
    bad: 0,
    repeats: 0,
    fallback: 0,
    toJudge: 0,
    categories: {},
  };
}
