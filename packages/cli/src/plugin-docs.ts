import type { PluginDefinition } from '@tane/core';
import { stringify } from 'yaml';

/** The parts of a JSON Schema the docs read. */
interface SchemaNode {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  examples?: unknown[];
  items?: SchemaNode;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  required?: string[];
  oneOf?: SchemaNode[];
  anyOf?: SchemaNode[];
  minimum?: number;
  maximum?: number;
}

/** One config key, nested keys dotted (`filters.output.maxChars`, `categories.<key>.sql`). */
export interface ConfigRow {
  key: string;
  type: string;
  default?: unknown;
  required: boolean;
  description?: string;
  enum?: unknown[];
  examples?: unknown[];
  range?: string;
}

function typeOf(p: SchemaNode): string {
  if (p.enum) return p.enum.map((e) => JSON.stringify(e)).join(' | ');
  if (p.const !== undefined) return JSON.stringify(p.const);
  const alts = p.oneOf ?? p.anyOf;
  if (alts) return [...new Set(alts.map(typeOf))].join(' | ');
  if (Array.isArray(p.type)) return p.type.join(' | ');
  if (p.type === 'array' && p.items) {
    const inner = typeOf(p.items);
    return inner.includes('|') ? `(${inner})[]` : `${inner}[]`;
  }
  if (p.type === 'object' && !p.properties && typeof p.additionalProperties === 'object') return 'map';
  return p.type ?? 'any';
}

function rangeOf(p: SchemaNode): string | undefined {
  if (p.minimum !== undefined && p.maximum !== undefined) return `${p.minimum}–${p.maximum}`;
  if (p.minimum !== undefined) return `≥ ${p.minimum}`;
  if (p.maximum !== undefined) return `≤ ${p.maximum}`;
  return undefined;
}

/** Every config key of a schema, depth first, with what the docs show of it. */
export function configRows(schema: unknown, prefix = '', depth = 0): ConfigRow[] {
  const node = (schema ?? {}) as SchemaNode;
  const required = node.required ?? [];
  const rows: ConfigRow[] = [];
  for (const [name, p] of Object.entries(node.properties ?? {})) {
    const key = `${prefix}${name}`;
    const nested = !!p.properties && Object.keys(p.properties).length > 0 && depth < 4;
    const itemEnum = p.type === 'array' && p.items?.enum ? p.items.enum : undefined;
    const range = rangeOf(p);
    rows.push({
      key,
      type: typeOf(p),
      required: required.includes(name),
      // An object's default ({}) says nothing: its fields' defaults are listed below it.
      ...(p.default !== undefined && !(nested && JSON.stringify(p.default) === '{}')
        ? { default: p.default }
        : {}),
      ...(p.description ? { description: p.description } : {}),
      ...(p.enum || itemEnum ? { enum: p.enum ?? itemEnum } : {}),
      ...(p.examples ? { examples: p.examples } : {}),
      ...(range ? { range } : {}),
    });
    if (nested) rows.push(...configRows(p, `${key}.`, depth + 1));
    else if (typeof p.additionalProperties === 'object' && p.additionalProperties.properties && depth < 4) {
      rows.push(...configRows(p.additionalProperties, `${key}.<key>.`, depth + 1));
    }
  }
  return rows;
}

/** The config part of `tane plugins describe`: one line per key, then its description. */
export function configText(definition: Pick<PluginDefinition<unknown>, 'configSchema'>): string[] {
  const rows = configRows(definition.configSchema);
  if (rows.length === 0) return ['  (no settings)'];
  const out: string[] = [];
  for (const r of rows) {
    const def = r.default !== undefined ? ` = ${JSON.stringify(r.default)}` : r.required ? ' (required)' : '';
    out.push(`  ${r.key.padEnd(28)} ${r.type}${def}${r.range ? `  (${r.range})` : ''}`);
    if (r.description) out.push(`      ${r.description}`);
    if (r.examples) out.push(`      e.g. ${r.examples.map((e) => JSON.stringify(e)).join(', ')}`);
  }
  return out;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/**
 * The "Configuration" section of a plugin's README, generated from its definition. With
 * `routes: false` it leaves out the list of routes (for a README that has a Routes section of
 * its own, which then must name every route: see {@link readmeRouteGaps}).
 */
export function configMarkdown(
  definition: PluginDefinition<unknown>,
  options: { routes?: boolean } = {},
): string {
  const rows = configRows(definition.configSchema);
  const out: string[] = [
    '## Configuration',
    '',
    '<!-- generated from the plugin definition by `npm run docs:plugins`: change the definition, not this section -->',
    '',
  ];
  if (rows.length === 0) out.push('This plugin has no settings.');
  else {
    out.push('| key | type | default | description |', '| --- | --- | --- | --- |');
    for (const r of rows) {
      const type = `${r.type}${r.range ? ` (${r.range})` : ''}`;
      const def =
        r.default !== undefined ? `\`${JSON.stringify(r.default)}\`` : r.required ? 'required' : '—';
      const desc = [
        r.description ?? '',
        r.examples ? `e.g. ${r.examples.map((e) => `\`${JSON.stringify(e)}\``).join(', ')}` : '',
      ]
        .filter(Boolean)
        .join(' ');
      out.push(`| \`${cell(r.key)}\` | ${cell(type)} | ${cell(def)} | ${cell(desc)} |`);
    }
    const closed = (definition.configSchema as SchemaNode).additionalProperties === false;
    if (closed)
      out.push(
        '',
        'Other keys are refused (`additionalProperties: false`): a typo is reported with its file:line.',
      );
  }
  if (options.routes !== false) {
    out.push('', '### Routes', '');
    if (definition.routes.length === 0) out.push('None: records end here.');
    for (const r of definition.routes) out.push(`- \`${r.name}\` — ${r.description}`);
  }
  if (definition.examples.length > 0) out.push('', '### Examples');
  for (const ex of definition.examples) {
    out.push('', `**${ex.title}**${ex.summary ? `. ${ex.summary.replace(/\.?$/, '.')}` : ''}`, '', '```yaml');
    out.push(stringify({ config: ex.config }).trimEnd(), '```');
  }
  out.push('', '<!-- end of generated section -->', '');
  return out.join('\n');
}

const START = '## Configuration\n';
const END = '<!-- end of generated section -->\n';

/**
 * The README with its Configuration section replaced by the generated one: between the
 * generated markers if it has them, else in place of a hand-written `## Config` section,
 * else appended.
 */
export function withConfigSection(readme: string, section: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start >= 0 && end > start) return readme.slice(0, start) + section + readme.slice(end + END.length);
  const old = readme.search(/^## Config\n/m);
  if (old >= 0) {
    const next = readme.slice(old + 1).search(/^## /m);
    return readme.slice(0, old) + section + (next >= 0 ? `\n${readme.slice(old + 1 + next)}` : '');
  }
  return `${readme.trimEnd()}\n\n${section}`;
}

/** The README without its generated Configuration section (what its authors wrote). */
function handWritten(readme: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  return start >= 0 && end > start ? readme.slice(0, start) + readme.slice(end + END.length) : readme;
}

/** Whether the README's own text has a `## Routes…` section (then the generated one leaves routes out). */
export function hasRoutesSection(readme: string): boolean {
  return /^## Routes\b/m.test(handWritten(readme));
}

/** The declared routes a README's own Routes section does not name (as `` `route` ``). */
export function readmeRouteGaps(
  readme: string,
  definition: Pick<PluginDefinition<unknown>, 'routes'>,
): string[] {
  const text = handWritten(readme);
  return definition.routes.map((r) => r.name).filter((name) => !text.includes(`\`${name}\``));
}
