import { basename } from 'node:path';
import { JSONParser } from '@streamparser/json';
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

/**
 * Streams the rows of one file. Memory stays bounded by one line (JSONL, CSV), one row
 * (JSON array) or one row group (Parquet).
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
  yield* readJsonArray(input.stream, shown);
}

/**
 * The rows of a JSON file holding an array of objects, or an object whose first array-valued
 * property holds them, streamed (@streamparser/json): memory holds one row, not the file.
 * Rows before a syntax error are read; the error is reported where it was found.
 */
async function* readJsonArray(
  stream: AsyncIterable<unknown>,
  shown: string,
): AsyncGenerator<RawRow | BadRow> {
  let parser: JSONParser | undefined;
  let ended = false;
  let failed: string | undefined;
  let index = 0;
  let arrayKey: string | number | undefined;
  let objectRoot = false;
  const ready: (RawRow | BadRow)[] = [];
  const take = (value: unknown) => {
    const i = index++;
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      ready.push({ where: `${shown}[${i}]`, error: 'not a JSON object', row: i + 1 });
    } else ready.push({ fields: value as Record<string, unknown>, where: `${shown}[${i}]`, row: i + 1 });
  };
  const open = (first: number) => {
    // '[': rows are the root's elements; '{': the elements of its first array-valued property.
    const p = new JSONParser({ paths: [first === 0x5b ? '$.*' : '$.*.*'], keepStack: false });
    p.onValue = ({ value, parent, stack }) => {
      if (first === 0x5b) return take(value);
      if (!Array.isArray(parent)) return;
      const key = stack[1]?.key;
      arrayKey ??= key;
      if (key === arrayKey) take(value);
    };
    p.onError = (err) => {
      failed ??= err.message;
    };
    p.onEnd = () => {
      ended = true;
    };
    return p;
  };
  for await (const raw of stream) {
    let chunk = raw as Buffer;
    if (!parser) {
      if (chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf)
        chunk = chunk.subarray(3);
      const at = chunk.findIndex((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09);
      if (at === -1) continue;
      const first = chunk[at]!;
      if (first !== 0x5b && first !== 0x7b) {
        yield { where: shown, error: 'expected a JSON array of rows (or an object holding one)', row: 0 };
        return;
      }
      objectRoot = first === 0x7b;
      parser = open(first);
    }
    if (ended) break;
    try {
      parser.write(chunk);
    } catch (err) {
      failed ??= (err as Error).message;
    }
    yield* ready.splice(0);
    if (failed) break;
  }
  if (parser && !ended && !failed) {
    try {
      parser.end();
    } catch (err) {
      failed ??= (err as Error).message;
    }
    if (!ended) failed ??= 'the file ends in the middle of the JSON';
  }
  yield* ready.splice(0);
  if (!parser)
    yield { where: shown, error: 'expected a JSON array of rows (or an object holding one)', row: 0 };
  else if (failed) yield { where: `${shown}[${index}]`, error: `not valid JSON (${failed})`, row: index + 1 };
  else if (objectRoot && arrayKey === undefined)
    yield {
      where: shown,
      error: 'expected a JSON array of rows (or an object holding one): no rows found',
      row: 0,
    };
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
