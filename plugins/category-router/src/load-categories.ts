import { readFile } from 'node:fs/promises';
import { TaneError } from '@tane/core';
import { Ajv, type ErrorObject } from 'ajv';
import { type Document, isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import { type CategorySet, type CategorySettings, categorySetSchema } from './category-set.ts';

const ajv = new Ajv({ allErrors: true, strict: true });
const validateCategorySet = ajv.compile(categorySetSchema);

const FORMAT_HINT = 'see "Categories file" in the @tane/plugin-category-router README for the format';
const TOP_LEVEL_KEYS = Object.keys(categorySetSchema.properties);
const CATEGORY_KEYS = Object.keys(categorySetSchema.properties.categories.items.properties);

interface Problem {
  line: number;
  message: string;
  hint: string;
}

/**
 * Reads and validates a categories file (YAML). Every error names the file and
 * the line of the offending key, and says what to change.
 *
 * @throws TaneError `CONFIG_NOT_FOUND` when the file cannot be read,
 *   `CONFIG_INVALID` (with `where: 'file:line'`) when it is not a valid categories file.
 *
 * @example
 * ```ts
 * const set = await loadCategories('examples/ja-business/categories.yaml');
 * set.categories.map((c) => `${c.id}: ${c.target}`); // ['email-reply: 50', …]
 * ```
 */
export async function loadCategories(path: string): Promise<CategorySet> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new TaneError(
      missing ? 'CONFIG_NOT_FOUND' : 'CONFIG_INVALID',
      missing ? 'categories file not found' : `cannot read categories file: ${(err as Error).message}`,
      {
        where: path,
        hint: missing
          ? 'check the path; in a pipeline file it is relative to the pipeline file’s folder'
          : 'check the file’s permissions',
        cause: err,
      },
    );
  }
  return parseCategories(text, path);
}

/**
 * Parses and validates the text of a categories file; `file` is only used in
 * error locations. {@link loadCategories} reads the file and calls this.
 *
 * @example
 * ```ts
 * const set = parseCategories('version: 1\nlanguage: en\ncategories:\n  - {id: qa, name: QA, description: Answer, target: 10}\n');
 * set.categories[0]?.weight; // 1
 * ```
 */
export function parseCategories(text: string, file = 'categories.yaml'): CategorySet {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const lineAt = (offset: number): number => Math.max(1, lineCounter.linePos(offset).line);

  const syntax = doc.errors[0];
  if (syntax) {
    // An error at the very end (an unclosed quote or bracket) belongs to the last written line.
    const offset = Math.max(0, Math.min(syntax.pos[0], text.trimEnd().length - 1));
    throw new TaneError('CONFIG_INVALID', `not valid YAML: ${syntax.message}`, {
      where: `${file}:${lineAt(offset)}`,
      hint: 'fix the YAML syntax (indentation, quotes, brackets) on that line',
    });
  }

  const value: unknown = doc.toJS();
  const problems: Problem[] = validateCategorySet(value)
    ? duplicateIds(doc, value as RawCategorySet, lineAt)
    : describeErrors(validateCategorySet.errors ?? [], doc, value, lineAt);
  if (problems.length > 0) throw toError(problems, file);

  const raw = value as RawCategorySet;
  return {
    version: raw.version,
    language: raw.language,
    categories: raw.categories.map((c) => settingsOf(c, raw.language)),
  };
}

interface RawCategory {
  id: string;
  name: string;
  description: string;
  language?: string;
  target: number;
  weight?: number;
  prompt?: Record<string, unknown>;
  rubric?: Record<string, unknown>;
  model?: Record<string, unknown>;
  verify?: Record<string, unknown>;
}

interface RawCategorySet {
  version: number;
  language: string;
  categories: RawCategory[];
}

function settingsOf(c: RawCategory, defaultLanguage: string): CategorySettings {
  return {
    id: c.id,
    name: c.name,
    description: c.description,
    language: c.language ?? defaultLanguage,
    target: c.target,
    weight: c.weight ?? 1,
    ...(c.prompt ? { prompt: c.prompt } : {}),
    ...(c.rubric ? { rubric: c.rubric } : {}),
    ...(c.model ? { model: c.model } : {}),
    ...(c.verify ? { verify: c.verify } : {}),
  };
}

function toError(problems: Problem[], file: string): TaneError {
  problems.sort((a, b) => a.line - b.line);
  const first = problems[0]!;
  const message =
    problems.length === 1
      ? first.message
      : `${problems.length} problems: ${problems.map((p) => `line ${p.line}: ${p.message}`).join('; ')}`;
  return new TaneError('CONFIG_INVALID', message, { where: `${file}:${first.line}`, hint: first.hint });
}

function duplicateIds(doc: Document, value: RawCategorySet, lineAt: (offset: number) => number): Problem[] {
  const firstLine = new Map<string, number>();
  const problems: Problem[] = [];
  value.categories.forEach((c, i) => {
    const line = lineOf(doc, ['categories', i, 'id'], lineAt);
    const earlier = firstLine.get(c.id);
    if (earlier === undefined) {
      firstLine.set(c.id, line);
      return;
    }
    problems.push({
      line,
      message: `duplicate category id "${c.id}" (first defined at line ${earlier})`,
      hint: 'give each category its own id, or merge the two entries',
    });
  });
  return problems;
}

function describeErrors(
  errors: ErrorObject[],
  doc: Document,
  value: unknown,
  lineAt: (offset: number) => number,
): Problem[] {
  const seen = new Set<string>();
  const problems: Problem[] = [];
  for (const e of errors) {
    const path = pathOf(e.instancePath);
    const params = e.params as Record<string, unknown>;
    const keyPath =
      e.keyword === 'additionalProperties' ? [...path, String(params.additionalProperty)] : path;
    const line =
      e.keyword === 'additionalProperties'
        ? keyLine(doc, path, String(params.additionalProperty), lineAt)
        : lineOf(doc, keyPath, lineAt);
    const { message, hint } = describeError(e, path, value);
    const key = `${line}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ line, message, hint });
  }
  return problems;
}

function describeError(
  e: ErrorObject,
  path: (string | number)[],
  root: unknown,
): { message: string; hint: string } {
  const params = e.params as Record<string, unknown>;
  const field = path[path.length - 1];
  const inCategory = path[0] === 'categories' && typeof path[1] === 'number';
  const owner = inCategory ? categoryLabel(root, path[1] as number) : 'the file';
  const got = JSON.stringify(valueAt(root, path));

  switch (e.keyword) {
    case 'required': {
      const key = String(params.missingProperty);
      return {
        message: `${owner} is missing required key '${key}'`,
        hint: key === 'version' ? 'start the file with `version: 1`' : `add \`${key}:\`; ${FORMAT_HINT}`,
      };
    }
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = path.length === 0 ? TOP_LEVEL_KEYS : CATEGORY_KEYS;
      return {
        message: `${owner} has unknown key '${key}'`,
        hint: `check the spelling; allowed keys are ${allowed.join(', ')}`,
      };
    }
    case 'const':
      return {
        message: `version ${got} is not supported`,
        hint: 'this version of tane reads categories files with `version: 1`',
      };
    case 'minItems':
      return { message: 'categories is empty', hint: 'add at least one category' };
  }

  if (path.length === 0) {
    return {
      message: 'the file must be a YAML mapping',
      hint: `write version, language and categories; ${FORMAT_HINT}`,
    };
  }
  if (inCategory && path.length === 2) {
    return {
      message: `${owner} must be a mapping (got ${got})`,
      hint: 'write each category as a mapping with id, name, description and target',
    };
  }
  switch (field) {
    case 'name':
    case 'description':
      return { message: `${owner}: ${field} must be non-empty text (got ${got})`, hint: FORMAT_HINT };
    case 'id':
      return {
        message: `category id ${got} is not kebab-case`,
        hint: 'use lowercase letters and digits separated by single hyphens, e.g. email-reply',
      };
    case 'language':
      return {
        message: `${inCategory ? `${owner}: ` : ''}language ${got} is not a language tag`,
        hint: 'use a BCP-47 language tag such as ja, en or en-US',
      };
    case 'target':
      return {
        message: `${owner}: target must be a whole number ≥ 0 (got ${got})`,
        hint: 'target is the number of accepted examples wanted for the category',
      };
    case 'weight':
      return {
        message: `${owner}: weight must be a number > 0 (got ${got})`,
        hint: 'weight is the category’s share of new work when topping up; leave it out for 1',
      };
    case 'prompt':
    case 'rubric':
    case 'model':
      return { message: `${owner}: ${field} must be a mapping (got ${got})`, hint: FORMAT_HINT };
    case 'categories':
      return { message: 'categories must be a list', hint: 'write each category as a `- id: …` item' };
  }
  const label = inCategory ? `${owner}: ${String(field)}` : path.join('.');
  return { message: `${label} ${e.message ?? 'is invalid'} (got ${got})`, hint: FORMAT_HINT };
}

function categoryLabel(root: unknown, index: number): string {
  const id = valueAt(root, ['categories', index, 'id']);
  return typeof id === 'string' && id !== '' ? `category "${id}"` : `category #${index + 1}`;
}

function pathOf(instancePath: string): (string | number)[] {
  if (instancePath === '') return [];
  return instancePath
    .split('/')
    .slice(1)
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, '/').replace(/~0/g, '~')));
}

function valueAt(root: unknown, path: (string | number)[]): unknown {
  let node = root;
  for (const seg of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[seg];
  }
  return node;
}

/** The line of the node at `path`, or of its nearest existing ancestor. */
function lineOf(doc: Document, path: (string | number)[], lineAt: (offset: number) => number): number {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    const start = rangeStart(node);
    if (start !== undefined) return lineAt(start);
  }
  return 1;
}

/** The line of key `key` in the mapping at `path` (for unknown keys, whose value may be empty). */
function keyLine(
  doc: Document,
  path: (string | number)[],
  key: string,
  lineAt: (offset: number) => number,
): number {
  const map = path.length === 0 ? doc.contents : doc.getIn(path, true);
  if (isMap(map)) {
    const pair = map.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
    const start = rangeStart(pair?.key);
    if (start !== undefined) return lineAt(start);
  }
  return lineOf(doc, path, lineAt);
}

function rangeStart(node: unknown): number | undefined {
  if (node === null || typeof node !== 'object' || !('range' in node)) return undefined;
  const range = (node as { range?: readonly number[] | null }).range;
  return range?.[0];
}
