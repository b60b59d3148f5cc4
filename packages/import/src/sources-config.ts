import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { TaneError } from '@tane/core';
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { FORMAT_FIELDS, type RowFormat } from './map-row.ts';

/** One public dataset to import, as written under `sources:`. */
export interface SourceSpec {
  name: string;
  /** A file, a glob or a folder (a folder laid out like a Hugging Face dataset: `data/train-*.parquet`). */
  path: string;
  /** Row shape. */
  format: RowFormat;
  /** Field names when they differ from the format's defaults. */
  fields: { instruction?: string; input?: string; output?: string; conversations?: string };
  /** Multi-turn → single-turn: `first` pair, `last` pair, `each` pair as its own row, or `history` (last pair, earlier turns in input). */
  multiTurn: 'first' | 'last' | 'each' | 'history';
  /** System turns: dropped, or put in `input`. */
  system: 'drop' | 'input';
  language?: string;
  license: string;
  category: { fixed?: string; field?: string; map?: Record<string, string>; fallback: string };
  /** Judge every row (`all`), none, or a seeded share (0–1, chosen by id). */
  judge: 'all' | 'none' | number;
  /** Where the source is defined (`file:line`). */
  where: string;
}

export interface SourcesFile {
  file: string;
  baseDir: string;
  sources: SourceSpec[];
}

const SOURCE_KEYS = [
  'name',
  'path',
  'format',
  'fields',
  'multiTurn',
  'system',
  'language',
  'license',
  'category',
  'judge',
];
const CATEGORY_KEYS = ['fixed', 'field', 'map', 'fallback'];
const FIELD_KEYS = ['instruction', 'input', 'output', 'conversations'];

function suggest(key: string, known: string[]): string {
  const k = key.toLowerCase();
  const hit = known.find(
    (x) => x.toLowerCase().startsWith(k.slice(0, 3)) || k.startsWith(x.toLowerCase().slice(0, 3)),
  );
  return hit ? ` (did you mean '${hit}'?)` : '';
}

/**
 * Reads the `sources:` section of a pipeline file or of its own file. Every problem is
 * reported at once, each with `file:line` and what to do, as one `CONFIG_INVALID` error.
 */
export function readSourcesFile(file: string): SourcesFile {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new TaneError('CONFIG_NOT_FOUND', `cannot read sources file ${file}`, {
      hint: 'give the path of a YAML file with a sources: section',
    });
  }
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  const at = (node: Node | null | undefined): string =>
    `${file}:${node?.range ? lc.linePos(node.range[0]).line : 1}`;
  const problems: string[] = [];
  const fail = (node: Node | null | undefined, message: string, hint: string) =>
    problems.push(`${at(node)}: ${message}\n  → ${hint}`);
  if (doc.errors.length) {
    throw new TaneError('CONFIG_INVALID', doc.errors[0]?.message ?? 'YAML syntax error', {
      where: `${file}:${doc.errors[0]?.linePos?.[0]?.line ?? 1}`,
      hint: 'fix the YAML syntax',
    });
  }
  const root = doc.contents;
  const list = isMap(root) ? (root.get('sources', true) as Node | undefined) : undefined;
  if (!isSeq(list) || list.items.length === 0) {
    throw new TaneError('CONFIG_INVALID', 'no sources: list', {
      where: at(root),
      hint: 'add `sources:` with one entry per dataset: - { name, path, format, license, category }',
    });
  }
  const sources: SourceSpec[] = [];
  const names = new Set<string>();
  for (const item of list.items as Node[]) {
    if (!isMap(item)) {
      fail(
        item,
        'a source must be a mapping',
        'write `- name: …` followed by path, format, license, category',
      );
      continue;
    }
    const js = item.toJSON() as Record<string, unknown>;
    const node = (k: string) => item.get(k, true) as Node | undefined;
    for (const pair of item.items) {
      const k = isScalar(pair.key) ? String(pair.key.value) : '';
      if (!SOURCE_KEYS.includes(k))
        fail(
          pair.key as Node,
          `unknown key '${k}'${suggest(k, SOURCE_KEYS)}`,
          `use one of ${SOURCE_KEYS.join(', ')}`,
        );
    }
    const name = js.name;
    if (typeof name !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/i.test(name)) {
      fail(
        node('name') ?? item,
        'name must be a word (letters, digits, . _ -)',
        'give the source a short name, e.g. dolly-ja',
      );
    } else if (names.has(name))
      fail(node('name'), `source '${name}' is named twice`, 'give each source its own name');
    else names.add(String(name));
    if (typeof js.path !== 'string' || js.path === '')
      fail(
        node('path') ?? item,
        'path is missing',
        'give a file, a glob (data/*.jsonl.gz) or a dataset folder',
      );
    const formats = Object.keys(FORMAT_FIELDS);
    if (typeof js.format !== 'string' || !formats.includes(js.format))
      fail(
        node('format') ?? item,
        `format must be one of ${formats.join(', ')}`,
        'name the row shape of the dataset',
      );
    if (typeof js.license !== 'string' || js.license === '')
      fail(
        node('license') ?? item,
        'license is missing',
        "state the dataset's license (e.g. CC-BY-SA-3.0); it is kept on every row",
      );
    const fields = (js.fields ?? {}) as Record<string, unknown>;
    if (js.fields !== undefined) {
      if (!isMap(node('fields')))
        fail(
          node('fields'),
          'fields must be a mapping',
          'write fields: { instruction: question, output: answer }',
        );
      else
        for (const [k, v] of Object.entries(fields)) {
          if (!FIELD_KEYS.includes(k))
            fail(node('fields'), `unknown field role '${k}'`, `use ${FIELD_KEYS.join(', ')}`);
          else if (typeof v !== 'string')
            fail(node('fields'), `fields.${k} must be a column name`, 'give the column name as a string');
        }
    }
    const multiTurn = js.multiTurn ?? 'first';
    if (!['first', 'last', 'each', 'history'].includes(String(multiTurn)))
      fail(
        node('multiTurn'),
        'multiTurn must be first, last, each or history',
        'pick how a conversation becomes single-turn rows',
      );
    const system = js.system ?? 'drop';
    if (!['drop', 'input'].includes(String(system)))
      fail(node('system'), 'system must be drop or input', 'pick drop or input');
    const judge = js.judge ?? 'all';
    if (!(judge === 'all' || judge === 'none' || (typeof judge === 'number' && judge >= 0 && judge <= 1)))
      fail(
        node('judge'),
        'judge must be all, none or a share between 0 and 1',
        'e.g. judge: 0.05 judges a seeded 5 % of the rows',
      );
    const cat = node('category');
    let category: SourceSpec['category'] = { fallback: 'general' };
    if (!isMap(cat)) {
      fail(
        cat ?? item,
        'category is missing',
        'write category: { fixed: qa } or { field: category, map: {…}, fallback: general }',
      );
    } else {
      const c = cat.toJSON() as Record<string, unknown>;
      for (const k of Object.keys(c))
        if (!CATEGORY_KEYS.includes(k))
          fail(
            cat,
            `unknown category key '${k}'${suggest(k, CATEGORY_KEYS)}`,
            `use ${CATEGORY_KEYS.join(', ')}`,
          );
      const id = /^[a-z0-9][a-z0-9_-]*$/;
      if (c.fixed !== undefined && (typeof c.fixed !== 'string' || !id.test(c.fixed)))
        fail(cat, 'category.fixed must be a category id (lower case, digits, - _)', 'e.g. fixed: open-qa');
      if (c.fixed === undefined && typeof c.field !== 'string')
        fail(
          cat,
          'category needs fixed or field',
          'take the category from a column with field: category, or set fixed: …',
        );
      if (c.map !== undefined) {
        if (!c.map || typeof c.map !== 'object' || Array.isArray(c.map))
          fail(cat, 'category.map must be a mapping', 'write map: { open_qa: qa }');
        else
          for (const [k, v] of Object.entries(c.map))
            if (typeof v !== 'string' || !id.test(v))
              fail(cat, `category.map.${k} must be a category id`, 'map each value to a category id');
      }
      if (c.fixed === undefined && (typeof c.fallback !== 'string' || !id.test(c.fallback)))
        fail(
          cat,
          'category.fallback is missing',
          'name the category for rows that fit no other, e.g. fallback: general',
        );
      category = {
        ...(typeof c.fixed === 'string' ? { fixed: c.fixed } : {}),
        ...(typeof c.field === 'string' ? { field: c.field } : {}),
        ...(c.map && typeof c.map === 'object' ? { map: c.map as Record<string, string> } : {}),
        fallback: typeof c.fallback === 'string' ? c.fallback : String(c.fixed ?? 'general'),
      };
    }
    sources.push({
      name: String(name),
      path: String(js.path),
      format: js.format as RowFormat,
      fields: fields as SourceSpec['fields'],
      multiTurn: multiTurn as SourceSpec['multiTurn'],
      system: system as SourceSpec['system'],
      ...(typeof js.language === 'string' ? { language: js.language } : {}),
      license: String(js.license),
      category,
      judge: judge as SourceSpec['judge'],
      where: at(item),
    });
  }
  if (problems.length) {
    throw new TaneError(
      'CONFIG_INVALID',
      `${problems.length} problem(s) in the sources:\n${problems.join('\n')}`,
      {
        where: file,
        hint: 'fix each place above and run again',
      },
    );
  }
  return { file: path, baseDir: dirname(path), sources };
}
