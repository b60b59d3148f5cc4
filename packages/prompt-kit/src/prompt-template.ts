import { readFileSync } from 'node:fs';
import { TaneError } from '@tane/core';

/** A prompt template file: its identity (recorded in `meta`) and the two message texts. */
export interface PromptTemplate {
  /** From the front matter; recorded with `version` on every record the template made. */
  id: string;
  version: string;
  /** Text of the system message, after the `tane-*` markers. */
  system: string;
  /** Text of the user message, before the fenced JSON payload. */
  user: string;
  /** Where it was read from (a path, or `built-in:<name>`). */
  source: string;
}

const FRONT_MATTER = /^\uFEFF?---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;
const SECTION = /^[ \t]*<!--\s*(system|user)\s*-->[ \t]*$/gm;
const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g;

function invalid(source: string, message: string): TaneError {
  return new TaneError('CONFIG_INVALID', `prompt template ${source}: ${message}`, {
    where: source,
    hint: 'a template is front matter with `id` and `version`, then `<!-- system -->` and `<!-- user -->` sections; see the plugin README',
  });
}

function unquote(value: string): string {
  const v = value.trim();
  if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) return v.slice(1, -1);
  return v;
}

/**
 * Parses a template: YAML-style front matter with flat `key: value` lines
 * (`id` and `version` required), then a `<!-- system -->` section (optional)
 * and a `<!-- user -->` section. Placeholders are `{{name}}`; every name must
 * be in `variables`, so a typo fails when the template is loaded, not in the
 * middle of a run.
 *
 * @example
 * ```ts
 * const t = parsePromptTemplate('---\nid: my-gen\nversion: 2\n---\n<!-- user -->\nWrite {{k}} examples.', 'inline', ['k']);
 * t.id; // 'my-gen'
 * ```
 */
export function parsePromptTemplate(
  text: string,
  source: string,
  variables: readonly string[],
): PromptTemplate {
  const fm = FRONT_MATTER.exec(text);
  if (!fm) throw invalid(source, 'missing front matter (a `---` block with `id` and `version` at the top)');
  const fields = new Map<string, string>();
  for (const line of fm[1]!.split(/\r?\n/)) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw invalid(source, `front matter line is not \`key: value\`: ${line.trim()}`);
    fields.set(line.slice(0, colon).trim(), unquote(line.slice(colon + 1)));
  }
  const id = fields.get('id');
  const version = fields.get('version');
  if (!id) throw invalid(source, 'front matter has no `id`');
  if (!version) throw invalid(source, 'front matter has no `version`');

  const body = text.slice(fm[0].length);
  const marks = [...body.matchAll(SECTION)];
  const sections = new Map<string, string>();
  marks.forEach((m, i) => {
    const start = m.index + m[0].length;
    const end = marks[i + 1]?.index ?? body.length;
    if (sections.has(m[1]!)) throw invalid(source, `the <!-- ${m[1]} --> section appears twice`);
    sections.set(m[1]!, body.slice(start, end).trim());
  });
  const user = sections.get('user');
  if (!user) throw invalid(source, 'no `<!-- user -->` section (the text of the user message)');
  const system = sections.get('system') ?? '';

  const known = new Set(variables);
  for (const part of [system, user]) {
    for (const m of part.matchAll(PLACEHOLDER)) {
      if (!known.has(m[1]!)) {
        throw invalid(
          source,
          `unknown placeholder {{${m[1]}}}; known: ${variables.map((v) => `{{${v}}}`).join(', ')}`,
        );
      }
    }
  }
  return { id, version, system, user, source };
}

/**
 * Reads and parses a template file (see {@link parsePromptTemplate});
 * `CONFIG_NOT_FOUND` with the path when it cannot be read. `source` is how
 * errors and `PromptTemplate.source` name it (default: the path).
 *
 * @example
 * ```ts
 * const t = loadPromptTemplate('/srv/pipeline/prompts/judge.ja.md', ['language'], 'prompts/judge.ja.md');
 * ```
 */
export function loadPromptTemplate(
  path: string | URL,
  variables: readonly string[],
  source?: string,
): PromptTemplate {
  const label = source ?? String(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new TaneError(
      'CONFIG_NOT_FOUND',
      `cannot read prompt template ${label}: ${(err as Error).message}`,
      {
        where: label,
        hint: 'check the path; template paths in the pipeline file and in categories resolve against the pipeline folder',
        cause: err,
      },
    );
  }
  return parsePromptTemplate(text, label, variables);
}

/**
 * Replaces `{{name}}` placeholders; every name was checked when the template
 * was loaded, and a name without a value becomes empty.
 *
 * @example
 * ```ts
 * renderTemplateText('Write {{k}} for {{ category.name }}.', { k: 4, 'category.name': 'メール' }); // 'Write 4 for メール.'
 * ```
 */
export function renderTemplateText(text: string, values: Readonly<Record<string, string | number>>): string {
  return text.replace(PLACEHOLDER, (_, name: string) => String(values[name] ?? ''));
}
