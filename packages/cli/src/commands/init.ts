import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { TaneError } from '@tane/core';
import type { Command } from 'commander';
import { projectReadme } from '../scaffold/project-readme.ts';

/** The folder of the example sets that ship with tane (`@tane/examples`). */
export function shippedExamplesDir(): string {
  try {
    return dirname(createRequire(import.meta.url).resolve('@tane/examples/package.json'));
  } catch {
    throw new TaneError('USAGE', 'the example sets (@tane/examples) are not installed', {
      hint: 'install them next to tane: npm install @tane/examples',
    });
  }
}

interface InitFlags {
  example: string;
  force?: boolean;
}

/**
 * Writes a project to start from: the pipeline file, the categories file, the seeds folder and the
 * sample benchmark test sets of one shipped example set, and a README that says what to do next.
 */
export function initProject(target: string, flags: InitFlags): string[] {
  const examples = shippedExamplesDir();
  const source = join(examples, flags.example);
  if (!existsSync(join(source, 'pipeline.yaml'))) {
    const sets = readdirSync(examples).filter((d) => existsSync(join(examples, d, 'pipeline.yaml')));
    throw new TaneError('USAGE', `no example set named '${flags.example}'`, {
      hint: `pick one of: ${sets.join(', ')}`,
    });
  }
  const dir = resolve(target);
  const written = ['pipeline.yaml', 'categories.yaml', 'seeds', 'benchmarks', 'README.md'];
  const existing = written.filter((f) => existsSync(join(dir, f)));
  if (existing.length > 0 && !flags.force) {
    throw new TaneError(
      'USAGE',
      `${relative(process.cwd(), dir) || '.'} already has ${existing.join(', ')}`,
      {
        where: dir,
        hint: 'run tane init in an empty folder, give another folder (tane init my-dataset), or pass --force to overwrite',
      },
    );
  }
  mkdirSync(dir, { recursive: true });
  // The shipped pipeline reads the sample test sets from a sibling folder; the project keeps its own copy.
  const pipeline = readFileSync(join(source, 'pipeline.yaml'), 'utf8').replaceAll(
    '../benchmarks/',
    './benchmarks/',
  );
  writeFileSync(join(dir, 'pipeline.yaml'), pipeline);
  cpSync(join(source, 'categories.yaml'), join(dir, 'categories.yaml'));
  cpSync(join(source, 'seeds'), join(dir, 'seeds'), { recursive: true });
  mkdirSync(join(dir, 'benchmarks'), { recursive: true });
  for (const f of readdirSync(join(examples, 'benchmarks'))) {
    if (/\.(jsonl?|md)$/.test(f)) cpSync(join(examples, 'benchmarks', f), join(dir, 'benchmarks', f));
  }
  const name = pipeline.match(/^pipeline:\s*(\S+)/m)?.[1] ?? flags.example;
  writeFileSync(join(dir, 'README.md'), projectReadme({ name, example: flags.example }));
  return written.map((f) => join(dir, f));
}

export function initCommand(program: Command): void {
  program
    .command('init')
    .summary('start a dataset project: pipeline file, categories, seeds and a README')
    .description(
      'Writes a project to start from into a folder (the current one by default): pipeline.yaml, ' +
        'categories.yaml (what to generate), seeds/ (hand-written examples per category), benchmarks/ ' +
        '(sample test sets for decontamination) and a README with the next steps. It copies one of the ' +
        'example sets that ship with tane, and never overwrites files unless you pass --force.',
    )
    .argument('[dir]', 'folder to write the project into', '.')
    .option('--example <name>', 'example set to start from (en-general, ja-business)', 'en-general')
    .option('--force', 'overwrite files that are already there')
    .addHelpText(
      'after',
      `
Examples:
  $ mkdir my-dataset && cd my-dataset && npm install @tane/cli && npx tane init
  $ npx tane init ja --example ja-business
  $ npx tane validate pipeline.yaml && npx tane demo`,
    )
    .action((dir: string, flags: InitFlags) => {
      const files = initProject(dir, flags);
      const shown = relative(process.cwd(), resolve(dir)) || '.';
      process.stdout.write(`▶ wrote a ${flags.example} project in ${shown}/:\n`);
      for (const f of files) process.stdout.write(`  ${relative(process.cwd(), f)}\n`);
      process.stdout.write(
        `\nNext: npx tane validate ${join(shown, 'pipeline.yaml')}, then npx tane demo --example ${shown} ` +
          '(README.md has the step-by-step run)\n',
      );
    });
}
