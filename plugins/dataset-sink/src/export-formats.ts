import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AtomicFileWriter, isAtomicTempFile } from './atomic-file.ts';
import type { DatasetRow } from './dataset-row.ts';
import { writeParquetExport } from './parquet-export.ts';

/** Export formats the sink can write. */
export const EXPORT_FORMATS = ['plain', 'alpaca', 'openai', 'sharegpt', 'llm-jp-eval', 'parquet'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** One exported file, as listed in the manifest. */
export interface ExportInfo {
  format: ExportFormat;
  /** Path relative to the dataset folder, with `/` separators. */
  path: string;
  rows: number;
}

/** Options of the chat formats. */
export interface ChatExportOptions {
  /** A system message put first in every conversation (none by default). */
  systemPrompt?: string;
}

/** The user turn of the chat formats: the instruction, then the input after a blank line. */
export function userTurn(row: Pick<DatasetRow, 'instruction' | 'input'>): string {
  return row.input ? `${row.instruction}\n\n${row.input}` : row.instruction;
}

/**
 * `{id, instruction, input, output}`: one line of `exports/plain.jsonl`, one
 * element of `exports/alpaca.json`. `id` is the row's record id, so a row can
 * be traced back to its lineage and outcome.
 */
export function toPlain(row: DatasetRow): { id: string; instruction: string; input: string; output: string } {
  return { id: row.id, instruction: row.instruction, input: row.input, output: row.output };
}

/** OpenAI chat fine-tuning format: `{"messages": [system?, user, assistant]}`. */
export function toOpenAIChat(
  row: DatasetRow,
  options: ChatExportOptions = {},
): { messages: { role: 'system' | 'user' | 'assistant'; content: string }[] } {
  return {
    messages: [
      ...(options.systemPrompt ? [{ role: 'system' as const, content: options.systemPrompt }] : []),
      { role: 'user', content: userTurn(row) },
      { role: 'assistant', content: row.output },
    ],
  };
}

/** ShareGPT format: `{"id", "conversations": [{from: system?}, {from: human}, {from: gpt}]}`. */
export function toShareGPT(
  row: DatasetRow,
  options: ChatExportOptions = {},
): { id: string; conversations: { from: 'system' | 'human' | 'gpt'; value: string }[] } {
  return {
    id: row.id,
    conversations: [
      ...(options.systemPrompt ? [{ from: 'system' as const, value: options.systemPrompt }] : []),
      { from: 'human', value: userTurn(row) },
      { from: 'gpt', value: row.output },
    ],
  };
}

const LLM_JP_EVAL_PROMPT = {
  ja: {
    preamble:
      '以下は、タスクを説明する指示と、文脈のある入力の組み合わせです。要求を適切に満たす応答を書きなさい。',
    instruction: '### 指示:',
    input: '### 入力:',
    response: '### 応答:',
  },
  // Alpaca's own English prompt, for rows of an English category.
  en: {
    preamble:
      'Below is an instruction that describes a task, paired with an input that provides further context. Write a response that appropriately completes the request.',
    instruction: '### Instruction:',
    input: '### Input:',
    response: '### Response:',
  },
} as const;

/**
 * llm-jp-eval's tuning format (the shape of its `tuning/<split>/<dataset>.json`
 * files): `{ID, instruction, input, output, text}`, where `text` is the
 * Alpaca-style prompt with the answer — Japanese, or Alpaca's English prompt
 * for a row of an English category (`language` en, en-US, …) — and the input
 * block is left out when the input is empty. `ID` is the row's record id.
 */
export function toLlmJpEval(
  row: DatasetRow,
  id: string = row.id,
): { ID: string; instruction: string; input: string; output: string; text: string } {
  const p = row.language?.toLowerCase().startsWith('en') ? LLM_JP_EVAL_PROMPT.en : LLM_JP_EVAL_PROMPT.ja;
  let text = `${p.preamble}\n\n${p.instruction}\n${row.instruction}`;
  if (row.input) text += `\n\n${p.input}\n${row.input}`;
  text += `\n\n${p.response}\n${row.output}`;
  return { ID: id, instruction: row.instruction, input: row.input, output: row.output, text };
}

/** A JSON array written element by element, formatted like Python's `json.dump(indent=4)`. */
class JsonArrayWriter {
  rows = 0;
  constructor(readonly file: AtomicFileWriter) {}
  static async open(path: string): Promise<JsonArrayWriter> {
    const w = new JsonArrayWriter(await AtomicFileWriter.open(path));
    await w.file.write('[');
    return w;
  }
  async add(value: unknown): Promise<void> {
    const body = JSON.stringify(value, null, 4).replace(/\n/g, '\n    ');
    await this.file.write(`${this.rows === 0 ? '\n' : ',\n'}    ${body}`);
    this.rows++;
  }
  async commit(): Promise<void> {
    await this.file.write(this.rows === 0 ? ']\n' : '\n]\n');
    await this.file.commit();
  }
}

class JsonLinesWriter {
  rows = 0;
  constructor(readonly file: AtomicFileWriter) {}
  static async open(path: string): Promise<JsonLinesWriter> {
    return new JsonLinesWriter(await AtomicFileWriter.open(path));
  }
  async add(value: unknown): Promise<void> {
    await this.file.write(`${JSON.stringify(value)}\n`);
    this.rows++;
  }
  async commit(): Promise<void> {
    await this.file.commit();
  }
}

/** Where each format is written, relative to the dataset folder. */
export function exportPath(
  format: Exclude<ExportFormat, 'parquet'>,
  category?: string,
  folder?: string,
): string {
  switch (format) {
    case 'plain':
      return 'exports/plain.jsonl';
    case 'alpaca':
      return 'exports/alpaca.json';
    case 'openai':
      return 'exports/openai.jsonl';
    case 'sharegpt':
      return 'exports/sharegpt.jsonl';
    case 'llm-jp-eval':
      return `exports/llm-jp-eval/${folder ?? category ?? 'all'}.json`;
  }
}

/** The rows of the dataset, one category at a time, in the order of the shards. */
export interface RowSource {
  categories(): { category: string; folder: string }[];
  rows(category: string): AsyncIterable<DatasetRow[]>;
}

/**
 * Writes every export format from the rows, each file atomically, and removes
 * export files of formats no longer configured. One pass over the rows feeds
 * all formats.
 *
 * @example
 * ```ts
 * const written = await writeExports('dataset', shardStore, ['plain', 'openai'], { systemPrompt: 'You are helpful.' });
 * ```
 */
export async function writeExports(
  dir: string,
  source: RowSource,
  formats: readonly ExportFormat[],
  options: ChatExportOptions = {},
): Promise<ExportInfo[]> {
  const wanted = new Set(formats);
  await mkdir(join(dir, 'exports', ...(wanted.has('llm-jp-eval') ? ['llm-jp-eval'] : [])), {
    recursive: true,
  });
  const lines: Partial<Record<'plain' | 'openai' | 'sharegpt', JsonLinesWriter>> = {};
  for (const f of ['plain', 'openai', 'sharegpt'] as const) {
    if (wanted.has(f)) lines[f] = await JsonLinesWriter.open(join(dir, exportPath(f)));
  }
  const alpaca = wanted.has('alpaca')
    ? await JsonArrayWriter.open(join(dir, exportPath('alpaca')))
    : undefined;
  const written: ExportInfo[] = [];
  const keepLlmJp = new Set<string>();
  // One pass over the shards: the JSON exports are written as the Parquet writer pulls the rows
  // (both go category by category, in the same order).
  async function* everyRow(): AsyncGenerator<DatasetRow> {
    for (const { category, folder } of source.categories()) {
      const llmJp = wanted.has('llm-jp-eval')
        ? await JsonArrayWriter.open(join(dir, exportPath('llm-jp-eval', category, folder)))
        : undefined;
      for await (const batch of source.rows(category)) {
        for (const row of batch) {
          await lines.plain?.add(toPlain(row));
          await lines.openai?.add(toOpenAIChat(row, options));
          await lines.sharegpt?.add(toShareGPT(row, options));
          await alpaca?.add(toPlain(row));
          await llmJp?.add(toLlmJpEval(row));
          yield row;
        }
      }
      if (llmJp) {
        await llmJp.commit();
        keepLlmJp.add(`${folder}.json`);
        written.push({
          format: 'llm-jp-eval',
          path: exportPath('llm-jp-eval', category, folder),
          rows: llmJp.rows,
        });
      }
    }
  }
  if (wanted.has('parquet')) {
    for (const f of await writeParquetExport(dir, everyRow())) written.push({ format: 'parquet', ...f });
  } else {
    for await (const _ of everyRow()) {
      // the JSON exports are written as the rows pass
    }
    await rm(join(dir, 'data'), { recursive: true, force: true });
  }
  for (const f of ['plain', 'openai', 'sharegpt'] as const) {
    const w = lines[f];
    if (!w) continue;
    await w.commit();
    written.push({ format: f, path: exportPath(f), rows: w.rows });
  }
  if (alpaca) {
    await alpaca.commit();
    written.push({ format: 'alpaca', path: exportPath('alpaca'), rows: alpaca.rows });
  }
  await removeStale(dir, wanted, keepLlmJp);
  return written.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function removeStale(dir: string, wanted: Set<ExportFormat>, keepLlmJp: Set<string>): Promise<void> {
  for (const f of ['plain', 'alpaca', 'openai', 'sharegpt'] as const) {
    if (!wanted.has(f)) await rm(join(dir, exportPath(f)), { force: true });
  }
  for (const name of await readdir(join(dir, 'exports'))) {
    if (isAtomicTempFile(name)) await rm(join(dir, 'exports', name), { force: true });
  }
  const llmDir = join(dir, 'exports', 'llm-jp-eval');
  if (!wanted.has('llm-jp-eval')) {
    await rm(llmDir, { recursive: true, force: true });
    return;
  }
  for (const name of await readdir(llmDir)) {
    if (!keepLlmJp.has(name)) await rm(join(llmDir, name), { force: true });
  }
}
