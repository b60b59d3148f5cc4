import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { TaneError } from '@tane/core';
import { isJglueLine, jglueLineItem } from './jglue-file.ts';
import { jsonlTextItem } from './jsonl-text-field.ts';
import { llmJpEvalTaskItems } from './llm-jp-eval-task.ts';
import { squadItems } from './squad-file.ts';
import type { TestItem, TestSet, TestSetFormat } from './test-item.ts';

/** Where a test set is and how to read it. */
export interface TestSetSpec {
  /** The file (an absolute path, or relative to the caller's folder). */
  path: string;
  /** `auto` (default) looks at the content; see {@link loadTestSet}. */
  format?: TestSetFormat | 'auto';
  /** The benchmark's name in reports (default: the file name without extension and split suffix). */
  name?: string;
  /** For `jsonl`: the fields holding the text (default `['text']`). */
  textFields?: string[];
  /** For `jsonl`: the field holding the item id (default: the line number). */
  idField?: string;
  /** For `llm-jp-eval`: also index the task's `few_shots` (default false). */
  includeFewShots?: boolean;
}

/** `jcommonsenseqa-v1.1-valid.json` → `jcommonsenseqa`; `jsquad.json` → `jsquad`. */
export function benchmarkNameOf(path: string): string {
  const stem = basename(path, extname(path));
  return stem.replace(/[-_.](v?\d+(\.\d+)*)?([-_.]?(train|valid|validation|dev|test))?$/i, '') || stem;
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const m = /position (\d+)/.exec((err as Error).message);
    const line = m ? text.slice(0, Number(m[1])).split('\n').length : 1;
    throw new TaneError('CONFIG_INVALID', `test set is not valid JSON: ${(err as Error).message}`, {
      where: `${path}:${line}`,
      hint: 'fix the file, or give JSON lines with format: jglue or jsonl',
    });
  }
}

function* jsonLines(text: string, path: string): Iterable<[Record<string, unknown>, number]> {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new TaneError('CONFIG_INVALID', `test set line is not valid JSON: ${(err as Error).message}`, {
        where: `${path}:${i + 1}`,
        hint: 'each line of a JSON lines test set must be one JSON object',
      });
    }
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      yield [value as Record<string, unknown>, i + 1];
    }
  }
}

function detectFormat(text: string, spec: TestSetSpec): TestSetFormat {
  const start = text.trimStart();
  if (start.startsWith('{')) {
    // One JSON object over the whole file, or JSON lines.
    const firstLineEnd = start.indexOf('\n');
    const firstLine = firstLineEnd < 0 ? start : start.slice(0, firstLineEnd);
    let first: unknown;
    try {
      first = JSON.parse(firstLine);
    } catch {
      first = undefined;
    }
    if (first === undefined || firstLineEnd < 0) {
      let whole: unknown;
      try {
        whole = JSON.parse(start);
      } catch {
        whole = undefined;
      }
      const obj = (whole ?? first) as Record<string, unknown> | undefined;
      if (obj && Array.isArray(obj.samples)) return 'llm-jp-eval';
      if (obj && Array.isArray(obj.data)) return 'squad';
      if (obj && firstLineEnd < 0) return spec.textFields ? 'jsonl' : isJglueLine(obj) ? 'jglue' : 'jsonl';
    }
    if (first && typeof first === 'object') {
      if (spec.textFields) return 'jsonl';
      if (isJglueLine(first as Record<string, unknown>)) return 'jglue';
      return 'jsonl';
    }
  }
  throw new TaneError('CONFIG_INVALID', 'cannot tell the format of this test set', {
    where: spec.path,
    hint: 'set `format` to llm-jp-eval, jglue, squad or jsonl (with textFields)',
  });
}

/**
 * Reads one test set. With `format: auto` (the default): a JSON object with
 * `samples` is an llm-jp-eval task file, one with `data` a SQuAD-style file;
 * JSON lines are JGLUE-style when they have `question`, `choiceN` or
 * `sentenceN` fields and plain `jsonl` (with `textFields`) otherwise.
 *
 * @throws TaneError `CONFIG_NOT_FOUND` (no such file) or `CONFIG_INVALID`
 *   (with `file:line` for JSON errors).
 *
 * @example
 * ```ts
 * const set = await loadTestSet({ path: 'jaster/jcommonsenseqa.json' });
 * set.benchmark; // 'jcommonsenseqa'
 * ```
 */
export async function loadTestSet(spec: TestSetSpec): Promise<TestSet> {
  let text: string;
  try {
    text = await readFile(spec.path, 'utf8');
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new TaneError(
      missing ? 'CONFIG_NOT_FOUND' : 'CONFIG_INVALID',
      missing ? 'test set file not found' : `cannot read test set: ${(err as Error).message}`,
      {
        where: spec.path,
        hint: missing
          ? 'check the path (in a pipeline file it is relative to the pipeline file’s folder); test sets are never downloaded'
          : 'check the file’s permissions',
        cause: err,
      },
    );
  }
  const benchmark = spec.name ?? benchmarkNameOf(spec.path);
  const format = !spec.format || spec.format === 'auto' ? detectFormat(text, spec) : spec.format;
  let items: TestItem[];
  switch (format) {
    case 'llm-jp-eval':
      items = llmJpEvalTaskItems(parseJson(text, spec.path), benchmark, spec.path, spec.includeFewShots);
      break;
    case 'squad':
      items = squadItems(parseJson(text, spec.path), benchmark, spec.path);
      break;
    case 'jglue':
      items = [];
      for (const [line, n] of jsonLines(text, spec.path)) {
        const item = jglueLineItem(line, benchmark, n);
        if (item) items.push(item);
      }
      break;
    case 'jsonl': {
      const fields = spec.textFields ?? ['text'];
      items = [];
      for (const [line, n] of jsonLines(text, spec.path)) {
        const item = jsonlTextItem(line, benchmark, n, fields, spec.idField);
        if (item) items.push(item);
      }
      break;
    }
  }
  if (items.length === 0) {
    throw new TaneError('CONFIG_INVALID', `test set has no items with text (read as ${format})`, {
      where: spec.path,
      hint:
        format === 'jsonl'
          ? `no line has a string in ${(spec.textFields ?? ['text']).join(', ')}; set textFields to the field names`
          : 'check that this is the right file, or set `format`',
    });
  }
  return { benchmark, path: spec.path, format, items };
}
