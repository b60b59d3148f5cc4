import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TaneError } from '@tane/core';
import type { Command } from 'commander';
import { renderCategoryTable } from '../dataset-table.ts';

export function reportCommand(program: Command): void {
  program
    .command('report')
    .summary('write a self-contained HTML report for a dataset')
    .description(
      'Writes report.html into a dataset folder: counts per category against targets, the funnel ' +
        'generated → accepted / repaired / rejected / duplicates / dlq, judge score histograms, length ' +
        'distributions, near-duplicate clusters, tokens spent and sample rows. It needs no network to view.',
    )
    .argument('<dataset-dir>', 'a folder written by the dataset-sink plugin (it has manifest.json)')
    .option('-o, --out <file>', 'where to write the HTML (default <dataset-dir>/report.html)')
    .addHelpText(
      'after',
      '\nExample:\n  $ tane report .tane/datasets/ja-business && xdg-open .tane/datasets/ja-business/report.html',
    )
    .action(async (dir: string, opts: { out?: string }) => {
      const datasetDir = resolve(dir);
      if (!existsSync(join(datasetDir, 'manifest.json'))) {
        throw new TaneError('INPUT_INVALID', `${datasetDir} has no manifest.json`, {
          where: datasetDir,
          hint: 'point at the folder the dataset-sink stage writes (see its dir setting), after a run',
        });
      }
      const { writeReport } = await import('@tane/report');
      const file = await writeReport(datasetDir, opts.out);
      const table = renderCategoryTable(datasetDir);
      if (table) process.stdout.write(`${table}\n\n`);
      process.stdout.write(`report written to ${file}\n`);
    });
}
