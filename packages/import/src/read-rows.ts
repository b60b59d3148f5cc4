import { basename } from 'node:path';
import { parse as parseCsv } from 'csv-parse';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { innerName, openInput } from './open-input.ts';

/** One row read from a source file, before mapping: its fields and where it came from. */
export interface RawRow {
  fields: Record<string, unknown>;
  /** `file:line` (JSONL, CSV), `file[index]` (JSON array) or `file#rowgroup/row` (Parquet). */
  where: string;
  /** 1-based row number within the file (for the origin kept on each record). */
  row: number;
}

/** A row that could not be read; reported and skipped. */
export interface BadRow {
  where: string;
  error: string;
  row: number;
}

/** The container a file is stored in (the row shape, Alpaca or ShareGPT…, is mapped later). */
export type Container = 'jsonl' | 'json' | 'csv' | 'parquet';

export function containerOf(file: string): Container | undefined {
  const name = innerName(file).toLowerCase();
  if (name.endsWith('.jsonl') || name.endsWith('.ndjson')) return 'jsonl';
  if (name.endsWith('.json')) return 'json';
  if (name.endsWith('.csv')) return 'csv';
  if (name.endsWith('.parquet')) return 'parquet';
  return undefined;
}

export interface ReadProgress {
  /** Compressed bytes of the file read so far. */
  bytesRead(): number;
}

/** JSON arrays are parsed whole: refuse bigger ones and ask for JSONL instead. */
export const MAX_JSON_ARRAY_BYTES = 512 * 1024 * 1024;

/**
 * Streams the rows of one file. Memory stays bounded by one line (JSONL, CSV), one row group
 * (Parquet) or, for a JSON array, the file (capped at {@link MAX_JSON_ARRAY_BYTES}).
 */
export async function* readRows(
  file: string,
  container: Container,
  progress?: (p: ReadProgress) => void,
): AsyncGenerator<RawRow | BadRow> {
  const shown = file;
  if (container === 'parquet') {
    yield* readParquet(file);
    return;
  }
  const input = openInput(file);
  progress?.({ bytesRead: input.bytesRead });
  if (container === 'jsonl') {
    let line = 0;
    for await (const text of lines(input.stream)) {
      line += 1;
      const t = (line === 1 ? text.replace(/^\uFEFF/, '') : text).trim();
      if (t === '') continue;
      try {
        const v = JSON.parse(t) as unknown;
        if (!v || typeof v !== 'object' || Array.isArray(v)) {
          yield { where: `${shown}:${line}`, error: 'not a JSON object', row: line };
        } else yield { fields: v as Record<string, unknown>, where: `${shown}:${line}`, row: line };
      } catch (err) {
        yield { where: `${shown}:${line}`, error: `not valid JSON (${(err as Error).message})`, row: line };
      }
    }
    return;
  }
  if (container === 'csv') {
    const parser = input.stream.pipe(
      parseCsv({ bom: true, columns: true, relax_column_count: true, skip_empty_lines: true, info: true }),
    );
    let row = 0;
    // csv-parse's info.lines is the line after a record's end: a record starts where the last one ended.
    let startLine = 2;
    try {
      for await (const item of parser as AsyncIterable<{
        record: Record<string, string>;
        info: {
          lines: number;
          columns?: { name: string }[];
          error?: { column?: string; record?: unknown[] };
        };
      }>) {
        row += 1;
        const where = `${shown}:${startLine}`;
        startLine = item.info.lines;
        if (item.info.error) {
          const have = item.info.error.record?.length ?? 0;
          const names = (item.info.columns ?? []).map((c) => c.name);
          yield {
            where,
            error:
              have < names.length
                ? `row has ${have} cells, the header ${names.length} (missing: ${names.slice(have).join(', ')})`
                : `row has ${have} cells, the header ${names.length}`,
            row,
          };
        } else yield { fields: item.record, where, row };
      }
    } catch (err) {
      const e = err as Error & { lines?: number };
      yield {
        where: `${shown}:${e.lines ?? '?'}`,
        error: `CSV cannot be read past here (${e.message})`,
        row,
      };
    }
    return;
  }
  // JSON array (Alpaca's and Dolly's usual shape) or one object holding an array.
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of input.stream) {
    size += (c as Buffer).length;
    if (size > MAX_JSON_ARRAY_BYTES) {
      yield {
        where: shown,
        error: `JSON file over ${MAX_JSON_ARRAY_BYTES} bytes; convert it to JSONL (one object a line) to stream it`,
        row: 0,
      };
      return;
    }
    chunks.push(c as Buffer);
  }
  let value: unknown;
  try {
    value = JSON.parse(
      Buffer.concat(chunks)
        .toString('utf8')
        .replace(/^\uFEFF/, ''),
    );
  } catch (err) {
    yield { where: shown, error: `not valid JSON (${(err as Error).message})`, row: 0 };
    return;
  }
  const items = Array.isArray(value)
    ? value
    : value && typeof value === 'object'
      ? (Object.values(value).find(Array.isArray) as unknown[] | undefined)
      : undefined;
  if (!items) {
    yield { where: shown, error: 'expected a JSON array of rows (or an object holding one)', row: 0 };
    return;
  }
  for (let i = 0; i < items.length; i++) {
    const v = items[i];
    if (!v || typeof v !== 'object' || Array.isArray(v)) {
      yield { where: `${shown}[${i}]`, error: 'not a JSON object', row: i + 1 };
    } else yield { fields: v as Record<string, unknown>, where: `${shown}[${i}]`, row: i + 1 };
  }
}

/** Lines of a byte stream, split on \n (a trailing \r is removed), decoded as UTF-8. */
async function* lines(stream: AsyncIterable<unknown>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  let rest = '';
  for await (const chunk of stream) {
    rest += decoder.decode(chunk as Buffer, { stream: true });
    let at = rest.indexOf('\n');
    let start = 0;
    while (at !== -1) {
      yield stripCr(rest.slice(start, at));
      start = at + 1;
      at = rest.indexOf('\n', start);
    }
    rest = rest.slice(start);
  }
  rest += decoder.decode();
  if (rest !== '') yield stripCr(rest);
}

function stripCr(s: string): string {
  return s.endsWith('\r') ? s.slice(0, -1) : s;
}

/** Parquet, one row group at a time (hyparquet, with its compressors: snappy, zstd, gzip, brotli, lz4). */
async function* readParquet(file: string): AsyncGenerator<RawRow | BadRow> {
  let buffer: Awaited<ReturnType<typeof asyncBufferFromFile>>;
  let metadata: Awaited<ReturnType<typeof parquetMetadataAsync>>;
  try {
    buffer = await asyncBufferFromFile(file);
    metadata = await parquetMetadataAsync(buffer);
  } catch (err) {
    yield { where: file, error: `not a readable Parquet file (${(err as Error).message})`, row: 0 };
    return;
  }
  let start = 0;
  let row = 0;
  for (let g = 0; g < metadata.row_groups.length; g++) {
    const n = Number(metadata.row_groups[g]?.num_rows ?? 0);
    let objects: Record<string, unknown>[];
    try {
      objects = (await parquetReadObjects({
        file: buffer,
        metadata,
        compressors,
        rowStart: start,
        rowEnd: start + n,
      })) as Record<string, unknown>[];
    } catch (err) {
      yield {
        where: `${file}#rowgroup ${g}`,
        error: `row group cannot be read (${(err as Error).message})`,
        row,
      };
      start += n;
      row += n;
      continue;
    }
    for (let i = 0; i < objects.length; i++) {
      row += 1;
      yield {
        fields: plain(objects[i]) as Record<string, unknown>,
        where: `${file}#rowgroup ${g}, row ${i}`,
        row,
      };
    }
    start += n;
  }
}

/** BigInt → number (JSON cannot hold BigInt), dates → ISO strings, recursively. */
function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object' && !(v instanceof Uint8Array)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = plain(x);
    return out;
  }
  return v;
}

export { basename };
