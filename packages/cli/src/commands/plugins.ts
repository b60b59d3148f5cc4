import { TaneError } from '@tane/core';
import { listInstalledPlugins, loadPlugin } from '@tane/core/engine';
import type { Command } from 'commander';
import { stringify } from 'yaml';

interface SchemaProp {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
}

export function pluginsCommand(program: Command): void {
  const plugins = program
    .command('plugins')
    .summary('list installed plugins and describe their config')
    .addHelpText(
      'after',
      `
Examples:
  $ tane plugins list
  $ tane plugins describe @tane/plugin-judge
  $ tane plugins describe ./my-plugins/scorer      # a local plugin folder`,
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
      for (const [key, p] of Object.entries(props)) {
        const type = Array.isArray(p.type)
          ? p.type.join('|')
          : (p.type ?? (p.enum ? p.enum.map((e) => JSON.stringify(e)).join('|') : 'any'));
        const def =
          p.default === undefined
            ? required.includes(key)
              ? ' (required)'
              : ''
            : ` = ${JSON.stringify(p.default)}`;
        out.push(`  ${key.padEnd(20)} ${type}${def}`);
        if (p.description) out.push(`      ${p.description}`);
      }
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
