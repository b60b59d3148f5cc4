import { readFileSync } from 'node:fs';
import {
  contentId,
  exampleSchema,
  formatSchemaErrors,
  INPUT_LIMITS,
  recordLimitError,
  TaneError,
  type TaneRecord,
  validateRecord,
} from '@tane/core';
import { Ajv } from 'ajv';
import { isSeq, LineCounter, parseDocument } from 'yaml';

/** One input item: a record ready to publish, or why its line was refused. */
export type InputItem = { where: string; record: TaneRecord } | { where: string; error: string };

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true });
const validateSeed = ajv.compile({
  ...exampleSchema,
  required: ['category', 'instruction', 'output'],
  properties: {
    ...exampleSchema.properties,
    id: { type: 'string', minLength: 1 },
    category: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]*$' },
  },
});
const SEED_FIELDS = new Set(['id', 'category', 'instruction', 'input', 'output']);

/**
 * Turns one parsed item into a record. A full envelope is taken as it is; with
 * `type: 'seed'`, a flat `{id?, category, instruction, input?, output}` row
 * becomes a seed record (id kept, or derived from category + instruction).
 */
export function toRecord(value: unknown, type: string | undefined): TaneRecord {
  const v = value as Record<string, unknown> | null;
  const looksLikeEnvelope = !!v && typeof v === 'object' && 'data' in v && 'type' in v;
  if (looksLikeEnvelope || type === undefined) return validateRecord(value);
  if (type !== 'seed') {
    throw new TaneError(
      'INPUT_INVALID',
      `not a record envelope, and rows are converted only for --type seed`,
      {
        hint: 'publish full envelopes {id, type, category, data}, or seeds with --type seed',
      },
    );
  }
  const row = structuredClone(v ?? {}) as Record<string, unknown>;
  if (!validateSeed(row)) {
    throw new TaneError('INPUT_INVALID', `not a seed: ${formatSchemaErrors(validateSeed.errors)}`, {
      hint: 'a seed is {"id"?, "category", "instruction", "input"?, "output"}',
    });
  }
  const category = String(row.category);
  const instruction = String(row.instruction);
  // Fields a seed file carries besides the example (lang, source, author, …) are kept, not refused.
  const extra = Object.fromEntries(Object.entries(row).filter(([k]) => !SEED_FIELDS.has(k)));
  return {
    id: typeof row.id === 'string' ? row.id : contentId('seed', category, instruction),
    type: 'seed',
    category,
    data: { instruction, input: String(row.input ?? ''), output: String(row.output) },
    meta: Object.keys(extra).length > 0 ? { extra } : {},
    lineage: [],
    headers: {},
  };
}

function parseCsv(
  text: string,
): Array<{ line: number; row: Record<string, string> } | { line: number; error: string }> {
  const rows: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let rowStart = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        cell += c;
      }
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      cells.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      cells.push(cell);
      if (cells.some((x) => x !== '')) rows.push({ line: rowStart, cells });
      cells = [];
      cell = '';
      line++;
      rowStart = line;
    } else cell += c;
  }
  cells.push(cell);
  if (cells.some((x) => x !== '')) rows.push({ line: rowStart, cells });
  const [header, ...body] = rows;
  if (!header) return [];
  const names = header.cells.map((h) => h.trim());
  return body.map(({ line: l, cells: cs }) => {
    if (cs.length < names.length) {
      const missing = names.slice(cs.length);
      return {
        line: l,
        error: `the row has ${cs.length} of the ${names.length} columns: ${missing.length === 1 ? 'column' : 'columns'} ${missing.map((m) => `'${m}'`).join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing`,
      };
    }
    if (cs.length > names.length) {
      return {
        line: l,
        error: `the row has ${cs.length} cells but the header names ${names.length} columns`,
      };
    }
    return { line: l, row: Object.fromEntries(names.map((h, i) => [h, cs[i] ?? ''])) };
  });
}

/**
 * Reads JSONL (`.jsonl`, `.ndjson`, stdin), JSON arrays (`.json`), YAML lists
 * (`.yaml`, `.yml`) or CSV with a header row (`.csv`), and turns every item into
 * a record or an error naming its file:line. One bad line never stops the rest.
 */
export function readInputRecords(
  path: string,
  input: string | DecodedInput,
  type: string | undefined,
): InputItem[] {
  const name = path === '-' ? '<stdin>' : path;
  const items: InputItem[] = [];
  const { text, invalid } = typeof input === 'string' ? { text: input, invalid: [] } : input;
  const add = (line: number, value: unknown) => {
    const where = `${name}:${line}`;
    try {
      const record = toRecord(value, type);
      const tooBig = recordLimitError(record);
      if (tooBig) throw new TaneError('INPUT_INVALID', `${tooBig} (docs/records.md, "Size limits")`);
      items.push({ where, record });
    } catch (err) {
      items.push({ where, error: err instanceof TaneError ? err.message : String(err) });
    }
  };
  const lower = path.toLowerCase();
  const jsonl = !['.csv', '.yaml', '.yml', '.json'].some((ext) => lower.endsWith(ext));
  const long = longLines(text);
  if (long.length > 0 && !jsonl) {
    // One record may span many lines in these formats: the file is refused as a whole.
    for (const l of long) items.push({ where: `${name}:${l.line}`, error: lineLimitMessage(l.bytes) });
    return items;
  }
  if (invalid.length > 0 && !jsonl) {
    const [first] = invalid;
    items.push({ where: `${name}:${first!.line}`, error: utf8Message(first!.byte) });
    return items;
  }
  const skip = new Set([...long.map((l) => l.line), ...invalid.map((b) => b.line)]);
  for (const l of long) items.push({ where: `${name}:${l.line}`, error: lineLimitMessage(l.bytes) });
  for (const b of invalid) items.push({ where: `${name}:${b.line}`, error: utf8Message(b.byte) });
  if (lower.endsWith('.csv')) {
    for (const r of parseCsv(text)) {
      if ('error' in r) items.push({ where: `${name}:${r.line}`, error: r.error });
      else add(r.line, r.row);
    }
  } else if (lower.endsWith('.yaml') || lower.endsWith('.yml')) {
    const lc = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lc });
    if (doc.errors.length > 0) {
      items.push({
        where: `${name}:${lc.linePos(doc.errors[0]!.pos[0]).line}`,
        error: `YAML: ${doc.errors[0]!.message.split('\n')[0]}`,
      });
      return items;
    }
    let seq = doc.contents;
    if (!isSeq(seq)) seq = (doc.get('seeds', true) ?? doc.get('records', true)) as typeof seq;
    if (!isSeq(seq)) {
      items.push({
        where: `${name}:1`,
        error: 'expected a YAML list (or a mapping with seeds: or records:)',
      });
      return items;
    }
    for (const node of seq.items) {
      const start = (node as unknown as { range?: [number] }).range?.[0] ?? 0;
      add(lc.linePos(start).line, (node as { toJSON(): unknown }).toJSON());
    }
  } else if (lower.endsWith('.json')) {
    let arr: unknown;
    try {
      arr = JSON.parse(text);
    } catch (err) {
      items.push({ where: `${name}:1`, error: `not JSON: ${(err as Error).message}` });
      return items;
    }
    if (!Array.isArray(arr)) arr = [arr];
    (arr as unknown[]).forEach((v, i) => {
      add(i + 1, v);
    });
  } else {
    text.split('\n').forEach((raw, i) => {
      if (skip.has(i + 1)) return;
      const trimmed = raw.trim();
      if (!trimmed || trimmed.startsWith('//')) return;
      let value: unknown;
      try {
        value = JSON.parse(trimmed);
      } catch (err) {
        items.push({ where: `${name}:${i + 1}`, error: `not JSON: ${(err as Error).message}` });
        return;
      }
      add(i + 1, value);
    });
  }
  return items;
}

function lineLimitMessage(bytes: number): string {
  return `the line is ${bytes} bytes, more than the limit of ${INPUT_LIMITS.lineBytes} (docs/records.md, "Size limits")`;
}

/** Lines longer than the line limit, found without splitting a huge file into strings. */
function longLines(text: string): { line: number; bytes: number }[] {
  const out: { line: number; bytes: number }[] = [];
  // A UTF-16 unit is at most 3 UTF-8 bytes: lines shorter than a third of the limit are never measured.
  if (text.length * 3 <= INPUT_LIMITS.lineBytes) return out;
  let start = 0;
  for (let line = 1; start <= text.length; line++) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if ((end - start) * 3 > INPUT_LIMITS.lineBytes) {
      const bytes = Buffer.byteLength(text.slice(start, end), 'utf8');
      if (bytes > INPUT_LIMITS.lineBytes) out.push({ line, bytes });
    }
    start = end + 1;
  }
  return out;
}

function utf8Message(byte: number): string {
  return `the line is not valid UTF-8 (first bad byte at byte offset ${byte} of the file); save the file as UTF-8`;
}

/** A file's text, with the lines that held invalid UTF-8 (their bytes were replaced by U+FFFD). */
export interface DecodedInput {
  text: string;
  invalid: { line: number; byte: number }[];
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes UTF-8, and finds each line holding an invalid sequence (with the byte offset of its first bad byte). */
export function decodeInput(bytes: Uint8Array): DecodedInput {
  try {
    return { text: strictUtf8.decode(bytes), invalid: [] };
  } catch {
    // fall through: find the bad lines
  }
  const invalid: { line: number; byte: number }[] = [];
  let line = 1;
  let lineStart = 0;
  let reported = -1;
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    if (b === 0x0a) {
      line++;
      lineStart = ++i;
      continue;
    }
    const need =
      b < 0x80
        ? 0
        : b >= 0xc2 && b <= 0xdf
          ? 1
          : b >= 0xe0 && b <= 0xef
            ? 2
            : b >= 0xf0 && b <= 0xf4
              ? 3
              : -1;
    let ok = need >= 0 && i + need < bytes.length + (need === 0 ? 1 : 0);
    for (let k = 1; ok && k <= need; k++) ok = (bytes[i + k]! & 0xc0) === 0x80;
    if (ok && need > 0) {
      // Overlong forms, surrogates and code points above U+10FFFF.
      const b1 = bytes[i + 1]!;
      if (b === 0xe0 && b1 < 0xa0) ok = false;
      if (b === 0xed && b1 > 0x9f) ok = false;
      if (b === 0xf0 && b1 < 0x90) ok = false;
      if (b === 0xf4 && b1 > 0x8f) ok = false;
    }
    if (!ok) {
      if (reported !== lineStart) invalid.push({ line, byte: i });
      reported = lineStart;
      i++;
      continue;
    }
    i += need + 1;
  }
  return { text: new TextDecoder('utf-8').decode(bytes), invalid };
}

export function readInputFile(path: string): DecodedInput {
  try {
    return decodeInput(path === '-' ? readFileSync(0) : readFileSync(path));
  } catch (err) {
    throw new TaneError(
      'INPUT_INVALID',
      `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`,
      {
        where: path,
        hint: 'check the path',
      },
    );
  }
}
