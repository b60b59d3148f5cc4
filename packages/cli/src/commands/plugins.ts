import { TaneError } from '@tane/core';
import { listInstalledPlugins, loadPlugin } from '@tane/core/engine';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { configMarkdown, configText } from '../plugin-docs.ts';
import { addPluginNewCommand } from './plugin-new.ts';

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
    .option('--markdown', "print the README's Configuration section (config, routes, examples) as Markdown")
    .action(async (name: string, opts: { schema?: boolean; markdown?: boolean }) => {
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
      if (opts.markdown) {
        process.stdout.write(configMarkdown(d));
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
      out.push(...configText(d));
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
