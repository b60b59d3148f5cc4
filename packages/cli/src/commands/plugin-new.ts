import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { ENGINE_API, TaneError } from '@tane/core';
import type { Command } from 'commander';
import { pluginPackageFiles } from '../scaffold/plugin-package.ts';

const NAME = /^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/;

function versionOf(pkg: string): string {
  const req = createRequire(import.meta.url);
  return (req(`${pkg}/package.json`) as { version: string }).version;
}

/** Writes a new plugin package into `dir` (default: a folder named after the package). */
export function newPluginPackage(name: string, dir?: string): { dir: string; files: string[] } {
  if (!NAME.test(name)) {
    throw new TaneError('USAGE', `'${name}' is not an npm package name`, {
      hint: 'use lower case, e.g. @acme/tane-plugin-min-length or tane-plugin-min-length',
    });
  }
  const target = resolve(dir ?? name.replace(/^@[^/]+\//, ''));
  if (existsSync(target) && readdirSync(target).length > 0) {
    throw new TaneError('USAGE', `${relative(process.cwd(), target)} exists and is not empty`, {
      where: target,
      hint: 'give another folder: tane plugin new <name> --dir <folder>',
    });
  }
  const files = pluginPackageFiles({
    name,
    engineApi: ENGINE_API,
    coreVersion: versionOf('@tane/core'),
    testkitVersion: (() => {
      try {
        return versionOf('@tane/testkit');
      } catch {
        return versionOf('@tane/core');
      }
    })(),
  });
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(target, file)), { recursive: true });
    writeFileSync(join(target, file), text);
  }
  return { dir: target, files: Object.keys(files) };
}

/** `tane plugins new` (also `tane plugin new`). */
export function addPluginNewCommand(plugins: Command): void {
  plugins
    .command('new')
    .description(
      'write a new plugin package: a definition (config schema, routes, examples), a test with @tane/testkit, ' +
        'a TypeScript build and a README — ready to npm publish',
    )
    .argument('<name>', 'npm package name, e.g. @acme/tane-plugin-min-length')
    .option('--dir <folder>', 'where to write it (default: a folder named after the package)')
    .action((name: string, opts: { dir?: string }) => {
      const made = newPluginPackage(name, opts.dir);
      const shown = relative(process.cwd(), made.dir) || '.';
      process.stdout.write(`▶ wrote plugin ${name}@1.0.0 in ${shown}/:\n`);
      for (const f of made.files) process.stdout.write(`  ${f}\n`);
      process.stdout.write(
        `\nNext: cd ${shown} && npm install && npm test, then npm publish; in a pipeline: plugin: "${name}@^1.0.0"\n`,
      );
    });
}
