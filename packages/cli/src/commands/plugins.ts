import { TaneError } from '@tane/core';
import { listInstalledPlugins, loadPlugin } from '@tane/core/engine';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { addPluginNewCommand } from './plugin-new.ts';

interface SchemaProp {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  properties?: Record<string, SchemaProp>;
  required?: string[];
}

/** One line per config key, nested objects as dotted keys (`filters.output.maxChars`), with type and default. */
function configLines(
  props: Record<string, SchemaProp>,
  required: string[],
  prefix = '',
  depth = 0,
): string[] {
  const out: string[] = [];
  for (const [name, p] of Object.entries(props)) {
    const key = `${prefix}${name}`;
    const type = Array.isArray(p.type)
      ? p.type.join('|')
      : (p.type ?? (p.enum ? p.enum.map((e) => JSON.stringify(e)).join('|') : 'any'));
    const nested = p.properties && Object.keys(p.properties).length > 0 && depth < 4;
    // An object's default ({}) says nothing: its fields' defaults are listed below it.
    const showDefault = p.default !== undefined && !(nested && JSON.stringify(p.default) === '{}');
    const def = showDefault
      ? ` = ${JSON.stringify(p.default)}`
      : required.includes(name)
        ? ' (required)'
        : '';
    out.push(`  ${key.padEnd(28)} ${type}${def}`);
    if (p.description) out.push(`      ${p.description}`);
    if (nested) out.push(...configLines(p.properties!, p.required ?? [], `${key}.`, depth + 1));
  }
  return out;
}

export function pluginsCommand(program: Command): void {
  const plugins = program
    .command('plugins')
    .alias('plugin')
    .summary('list installed plugins, describe their config, start a new one')
    .addHelpText(
      'after',
      `
Examples:
  $ tane plugins list
  $ tane plugins describe @tane/plugin-judge
  $ tane plugins describe ./my-plugins/scorer      # a local plugin folder
  $ tane plugin new @acme/tane-plugin-min-length   # a new plugin package with its test`,
    );

  plugins
    .command('list')
    .description('plugins installed next to tane (packages with "tane": {"role": "plugin"})')
    .action(async () => {
      for (const p of listInstalledPlugins()) {
        let summary = '';
        try {
          summary = (await loadPlugin(p.dir, process.cwd())).definition.summary;
        } catch (err) {
          summary = `(cannot load: ${(err as Error).message})`;
        }
        process.stdout.write(`${`${p.name}@${p.version}`.padEnd(44)} ${summary}\n`);
      }
    });

  addPluginNewCommand(plugins);

  plugins
    .command('describe')
    .description('summary, routes, config keys with defaults, and examples of one plugin')
    .argument('<name>', 'package name (optionally @range) or a local path')
    .option('--schema', 'print the config JSON Schema as it is')
    .action(async (name: string, opts: { schema?: boolean }) => {
      let loaded: Awaited<ReturnType<typeof loadPlugin>>;
      try {
        loaded = await loadPlugin(name, process.cwd());
      } catch (err) {
        if (err instanceof TaneError && err.code === 'PLUGIN_NOT_FOUND') {
          const names = listInstalledPlugins().map((p) => p.name);
          throw new TaneError('PLUGIN_NOT_FOUND', err.message, {
            hint: `installed plugins: ${names.join(', ') || 'none'}`,
          });
        }
        throw err;
      }
      const d = loaded.definition;
      if (opts.schema) {
        process.stdout.write(`${JSON.stringify(d.configSchema, null, 2)}\n`);
        return;
      }
      const out: string[] = [
        `${d.name}@${d.version}  (engine API ${d.engineApi})`,
        '',
        d.summary,
        '',
        d.description.trim(),
        '',
        'Routes:',
      ];
      for (const r of d.routes) out.push(`  ${r.name.padEnd(16)} ${r.description}`);
      if (d.routes.length === 0) out.push('  (none: records end here)');
      out.push('', 'Config:');
      const props = ((d.configSchema as { properties?: Record<string, SchemaProp> }).properties ??
        {}) as Record<string, SchemaProp>;
      const required = ((d.configSchema as { required?: string[] }).required ?? []) as string[];
      out.push(...configLines(props, required));
      if (Object.keys(props).length === 0) out.push('  (no settings)');
      for (const ex of d.examples) {
        out.push('', `Example — ${ex.title}${ex.summary ? `: ${ex.summary}` : ''}`);
        out.push(
          stringify({ plugin: `${d.name}@^${d.version}`, config: ex.config })
            .trimEnd()
            .split('\n')
            .map((l) => `  ${l}`)
            .join('\n'),
        );
      }
      process.stdout.write(`${out.join('\n')}\n`);
    });
}
