import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileWriter, parquetWriteRows } from 'hyparquet-writer';
import type { DatasetRow } from './dataset-row.ts';

/** Rows per `data/train-*.parquet` file (the Hub's viewer and loaders like files of a few hundred MB). */
export const PARQUET_ROWS_PER_FILE = 250_000;
/** Rows per Parquet row group: bounds the writer's memory. */
export const PARQUET_ROW_GROUP = 10_000;

/** The columns of the Parquet export, in order. */
export const PARQUET_COLUMNS = [
  'id',
  'category',
  'language',
  'instruction',
  'input',
  'output',
  'source',
  'license',
] as const;

type ParquetRow = Record<(typeof PARQUET_COLUMNS)[number], string>;

/** One dataset row as a Parquet row: `source` is `name@hash` for imported rows, `generated` otherwise. */
export function toParquetRow(row: DatasetRow): ParquetRow {
  const origin = row.meta.import ?? {};
  const s = (v: unknown) => (typeof v === 'string' ? v : '');
  return {
    id: row.id,
    category: row.category,
    language: row.language ?? s(origin.language),
    instruction: row.instruction,
    input: row.input,
    output: row.output,
    source: s(origin.source) || 'generated',
    license: s(origin.license),
  };
}

/** `data/train-00000-of-00003.parquet`: the Hugging Face dataset layout. */
export function parquetPath(index: number, count: number): string {
  return `data/train-${String(index).padStart(5, '0')}-of-${String(count).padStart(5, '0')}.parquet`;
}

/**
 * Writes the rows as `data/train-NNNNN-of-MMMMM.parquet` in the dataset folder, one row group at a
 * time (memory is bounded by a row group, not the dataset). Files are written under temporary
 * names and renamed once the file count is known; files of an earlier, different count are removed.
 */
export async function writeParquetExport(
  dir: string,
  rows: AsyncIterable<DatasetRow>,
  options: { rowsPerFile?: number; rowGroup?: number } = {},
): Promise<{ path: string; rows: number }[]> {
  const perFile = options.rowsPerFile ?? PARQUET_ROWS_PER_FILE;
  const rowGroup = options.rowGroup ?? PARQUET_ROW_GROUP;
  const dataDir = join(dir, 'data');
  await mkdir(dataDir, { recursive: true });
  const it = rows[Symbol.asyncIterator]();
  let next = await it.next();
  const parts: { tmp: string; rows: number }[] = [];
  while (!next.done || parts.length === 0) {
    const tmp = join(dataDir, `.train-${parts.length}.parquet.tmp`);
    let count = 0;
    async function* shard(): AsyncGenerator<ParquetRow> {
      while (!next.done && count < perFile) {
        count += 1;
        yield toParquetRow(next.value);
        next = await it.next();
      }
    }
    await parquetWriteRows({
      writer: fileWriter(tmp),
      rows: shard(),
      columns: PARQUET_COLUMNS.map((name) => ({ name, type: 'STRING' as const, nullable: false })),
      rowGroupSize: rowGroup,
      codec: 'SNAPPY',
      createdBy: 'tane dataset-sink',
    });
    parts.push({ tmp, rows: count });
    if (next.done) break;
  }
  const written: { path: string; rows: number }[] = [];
  const keep = new Set<string>();
  for (const [i, p] of parts.entries()) {
    const path = parquetPath(i, parts.length);
    await rename(p.tmp, join(dir, path));
    keep.add(path.slice('data/'.length));
    written.push({ path, rows: p.rows });
  }
  for (const name of await readdir(dataDir)) {
    if (!keep.has(name) && /^(train-\d+-of-\d+\.parquet|\.train-\d+\.parquet\.tmp)$/.test(name))
      await rm(join(dataDir, name), { force: true });
  }
  return written;
}
