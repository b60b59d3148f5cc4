import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadPlugin } from '@tane/core/engine';
import { configMarkdown, withConfigSection } from './plugin-docs.ts';

/** A plugin README whose Configuration section is not what its definition gives. */
export interface ReadmeDrift {
  plugin: string;
  readme: string;
  expected: string;
}

/** The text as the repository's formatter (biome) writes it, so a generated README stays formatted. */
function formatted(text: string, path: string): string {
  const biome = spawnSync('npx', ['--no-install', 'biome', 'format', `--stdin-file-path=${path}`], {
    input: text,
    encoding: 'utf8',
  });
  return biome.status === 0 && biome.stdout ? biome.stdout : text;
}

/**
 * Regenerates (or, with `write: false`, only checks) the Configuration section of the README of
 * every plugin folder under `pluginsDir`, from the plugin's definition.
 */
export async function syncPluginReadmes(pluginsDir: string, write: boolean): Promise<ReadmeDrift[]> {
  const drift: ReadmeDrift[] = [];
  for (const name of readdirSync(pluginsDir).sort()) {
    const dir = join(pluginsDir, name);
    const readme = join(dir, 'README.md');
    if (!existsSync(join(dir, 'package.json')) || !existsSync(readme)) continue;
    const { definition } = await loadPlugin(resolve(dir), resolve(pluginsDir));
    const text = readFileSync(readme, 'utf8');
    const expected = formatted(withConfigSection(text, configMarkdown(definition)), readme);
    if (expected === text) continue;
    drift.push({ plugin: definition.name, readme, expected });
    if (write) writeFileSync(readme, expected);
  }
  return drift;
}

// `node --conditions=@tane/source --import tsx packages/cli/src/plugin-readmes.ts [--check] [plugins-dir]`
if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  const check = process.argv.includes('--check');
  const dir = process.argv.slice(2).find((a) => !a.startsWith('-')) ?? 'plugins';
  const drift = await syncPluginReadmes(dir, !check);
  for (const d of drift) process.stdout.write(`${check ? 'out of date' : 'updated'}: ${d.readme}\n`);
  if (check && drift.length > 0) {
    process.stderr.write(
      'error: README Configuration sections differ from the definitions; run npm run docs:plugins\n',
    );
    process.exitCode = 1;
  }
}
