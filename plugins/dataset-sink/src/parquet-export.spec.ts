import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import type { DatasetRow } from './dataset-row.ts';
import { PARQUET_COLUMNS, toParquetRow, writeParquetExport } from './parquet-export.ts';

function row(i: number): DatasetRow {
  const imported = i % 3 === 0;
  return {
    id: `id-${String(i).padStart(6, '0')}`,
    category: i % 2 ? 'qa' : 'summary',
    language: i % 2 ? 'ja' : 'en',
    instruction: i % 2 ? `質問 ${i}: 日本の首都は？` : `Summarise item ${i}`,
    input: i % 5 === 0 ? '' : `line one\nline "two" ${i}`,
    output: `answer ${i} ${'x'.repeat(i % 40)}`,
    meta: {
      repairs: 0,
      ...(imported ? { import: { source: 'dolly@0123456789ab', license: 'CC-BY-SA-3.0' } } : {}),
    },
    lineage: [],
  };
}

async function* rows(n: number): AsyncGenerator<DatasetRow> {
  for (let i = 0; i < n; i++) yield row(i);
}

/** The same hash, computed from the rows written and from the rows DuckDB reads. */
function contentHash(values: Record<string, unknown>[]): string {
  const h = createHash('sha256');
  for (const v of values) h.update(JSON.stringify(PARQUET_COLUMNS.map((c) => v[c]))).update('\n');
  return h.digest('hex');
}

describe('Parquet export (Hugging Face layout)', () => {
  it('writes data/train-NNNNN-of-MMMMM.parquet that DuckDB reads back with the same rows and content', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tane-parquet-'));
    const n = 12_345;
    // a stale file of an earlier run with another file count must go
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data', 'train-00000-of-00009.parquet'), 'old');
    const written = await writeParquetExport(dir, rows(n), { rowsPerFile: 5000, rowGroup: 1000 });
    expect(written.map((w) => w.path)).toEqual([
      'data/train-00000-of-00003.parquet',
      'data/train-00001-of-00003.parquet',
      'data/train-00002-of-00003.parquet',
    ]);
    expect(written.map((w) => w.rows)).toEqual([5000, 5000, 2345]);
    expect(readdirSync(join(dir, 'data')).sort()).toEqual(written.map((w) => w.path.slice(5)));

    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    try {
      const glob = join(dir, 'data', 'train-*.parquet').replace(/'/g, "''");
      const count = await con.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_parquet('${glob}')`);
      expect(count.getRowObjectsJson()[0]?.n).toBe(n);
      const all = await con.runAndReadAll(
        `SELECT ${PARQUET_COLUMNS.join(', ')} FROM read_parquet('${glob}', filename = true, file_row_number = true) ORDER BY filename, file_row_number`,
      );
      const back = all.getRowObjectsJson();
      const expected = Array.from({ length: n }, (_, i) => toParquetRow(row(i)));
      expect(contentHash(back)).toBe(contentHash(expected));
      expect(back[3]).toMatchObject({ source: 'dolly@0123456789ab', license: 'CC-BY-SA-3.0' });
      expect(back[1]).toMatchObject({ source: 'generated', instruction: '質問 1: 日本の首都は？' });
    } finally {
      con.closeSync();
      db.closeSync();
    }
  });

  it('writes one file for an empty dataset', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tane-parquet-'));
    const written = await writeParquetExport(dir, rows(0));
    expect(written).toEqual([{ path: 'data/train-00000-of-00001.parquet', rows: 0 }]);
  });
});
