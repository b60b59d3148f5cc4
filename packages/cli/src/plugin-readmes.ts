import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadPlugin } from '@tane/core/engine';
import { configMarkdown, hasRoutesSection, readmeRouteGaps, withConfigSection } from './plugin-docs.ts';

/**
 * A plugin README whose Configuration section is not what its definition gives, or whose own
 * Routes section leaves out routes the plugin declares.
 */
export interface ReadmeDrift {
  plugin: string;
  readme: string;
  expected: string;
  /** Declared routes the README's Routes section does not name (fix the README by hand). */
  missingRoutes: string[];
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
    // A README with a Routes section of its own gets no second list of routes in the generated
    // section; its section must then name every declared route.
    const ownRoutes = hasRoutesSection(text);
    const section = configMarkdown(definition, { routes: !ownRoutes });
    const expected = formatted(withConfigSection(text, section), readme);
    const missingRoutes = ownRoutes ? readmeRouteGaps(text, definition) : [];
    if (expected === text && missingRoutes.length === 0) continue;
    drift.push({ plugin: definition.name, readme, expected, missingRoutes });
    if (write && expected !== text) writeFileSync(readme, expected);
  }
  return drift;
}

// `node --conditions=@tane/source --import tsx packages/cli/src/plugin-readmes.ts [--check] [plugins-dir]`
if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  const check = process.argv.includes('--check');
  const dir = process.argv.slice(2).find((a) => !a.startsWith('-')) ?? 'plugins';
  const drift = await syncPluginReadmes(dir, !check);
  for (const d of drift) {
    if (d.missingRoutes.length > 0)
      process.stdout.write(
        `${d.readme}: its Routes section does not name ${d.missingRoutes.map((r) => `\`${r}\``).join(', ')}\n`,
      );
    else process.stdout.write(`${check ? 'out of date' : 'updated'}: ${d.readme}\n`);
  }
  if (drift.some((d) => d.missingRoutes.length > 0)) process.exitCode = 1;
  if (check && drift.length > 0) {
    process.stderr.write(
      'error: README Configuration sections differ from the definitions; run npm run docs:plugins\n',
    );
    process.exitCode = 1;
  }
}
