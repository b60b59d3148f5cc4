import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TaneError } from '@tane/core';
import type { Command } from 'commander';
import { wholeNumber } from '../option-values.ts';

interface DecontaminateFlags {
  against?: string[];
  out?: string;
  format: string;
  textField?: string[];
  idField?: string;
  fields: string;
  charNgram: string;
  wordNgram: string;
  minMatches: string;
  minCoverage: string;
  maxItemsPerNgram: string;
  cache?: string;
  json?: boolean;
}

const FORMATS = ['auto', 'llm-jp-eval', 'jglue', 'squad', 'jsonl'] as const;
const FIELDS = ['instruction', 'input', 'output'] as const;

export function decontaminateCommand(program: Command): void {
  program
    .command('decontaminate')
    .summary('remove rows that overlap benchmark test sets from a dataset built earlier')
    .description(
      'Checks every row (instruction, input, output) of a dataset folder against test-set files by n-gram overlap — ' +
        'character 13-grams for Japanese, word 13-grams for English, as in GPT-3 and NeMo Curator — and writes a ' +
        'cleaned copy: shards/ without the contaminated rows, contaminated.jsonl (each removed row with the benchmark, ' +
        'test item id and overlapping span), decontamination.json and decontamination.md (per benchmark: rows checked, ' +
        'rows removed, example spans). The dataset folder itself is not changed. Test sets are files you point at: ' +
        "llm-jp-eval's preprocessed task JSON (jaster), JGLUE JSON lines, SQuAD-style JSON (JSQuAD), or plain JSON lines; " +
        'nothing is downloaded. To decontaminate while generating, add the @tane/plugin-decontaminate stage to the pipeline.',
    )
    .argument('<dataset-dir>', 'a folder written by the dataset-sink plugin (it has shards/)')
    .option(
      '--against <files...>',
      'test-set files (required); the format of each is detected from its content',
    )
    .option('-o, --out <dir>', 'where the cleaned copy goes (default <dataset-dir>.decontaminated)')
    .option('--format <format>', `test-set format for every file: ${FORMATS.join(', ')}`, 'auto')
    .option('--text-field <fields...>', 'for plain JSON lines: the fields holding the text (default text)')
    .option(
      '--id-field <field>',
      'for plain JSON lines: the field holding the item id (default: the line number)',
    )
    .option('--fields <list>', 'row fields to check, comma-separated', FIELDS.join(','))
    .option('--char-ngram <n>', 'character n-gram length for Japanese text', '13')
    .option('--word-ngram <n>', 'word n-gram length for English text', '13')
    .option('--min-matches <n>', 'distinct n-grams a row must share with one test item', '1')
    .option('--min-coverage <share>', "share (0–1) of the test item's n-grams the row must contain", '0')
    .option(
      '--max-items-per-ngram <n>',
      'ignore n-grams found in more test items than this (too common)',
      '10',
    )
    .option(
      '--cache <file>',
      'keep the built index in this file and reuse it while the test sets are unchanged',
    )
    .option('--json', 'print the report as JSON instead of the table')
    .addHelpText(
      'after',
      `
Examples:
  # jaster test files preprocessed by llm-jp-eval (evaluation/test/*.json)
  $ tane decontaminate .tane/datasets/ja-business --against ~/llm-jp-eval/dataset/1.4.1/evaluation/test/*.json

  # JGLUE's raw validation files, and an English set whose text is in "question" and "answer"
  $ tane decontaminate out/dataset --against jglue/jcommonsenseqa-v1.1/valid-v1.1.json jglue/jsquad-v1.1/valid-v1.1.json
  $ tane decontaminate out/dataset --against my-eval.jsonl --format jsonl --text-field question answer --id-field id

  # stricter for short items: 20-character n-grams, at least 2 shared
  $ tane decontaminate out/dataset --against jaster/*.json --char-ngram 20 --min-matches 2 -o out/clean

Then train on <out>/shards/*/*.jsonl, and read <out>/decontamination.md.
Exit codes: 0 done (whether or not rows were removed), 2 bad usage or an unreadable test set, 1 failed.`,
    )
    .action(async (dir: string, opts: DecontaminateFlags) => {
      const datasetDir = resolve(dir);
      if (!opts.against || opts.against.length === 0) {
        throw new TaneError('USAGE', 'no test sets given', {
          where: 'tane decontaminate',
          hint: 'add --against <files…>, e.g. --against llm-jp-eval/dataset/1.4.1/evaluation/test/*.json',
        });
      }
      if (!existsSync(join(datasetDir, 'shards'))) {
        throw new TaneError('INPUT_INVALID', `${datasetDir} is not a dataset folder (it has no shards/)`, {
          where: datasetDir,
          hint: 'point at the folder the dataset-sink stage writes (it has manifest.json and shards/), after a run',
        });
      }
      if (!(FORMATS as readonly string[]).includes(opts.format)) {
        throw new TaneError('USAGE', `unknown test-set format "${opts.format}"`, {
          where: '--format',
          hint: `use one of ${FORMATS.join(', ')}`,
        });
      }
      const fields = opts.fields.split(',').map((f) => f.trim());
      const unknown = fields.filter((f) => !(FIELDS as readonly string[]).includes(f));
      if (unknown.length > 0 || fields.length === 0) {
        throw new TaneError('USAGE', `unknown row field(s): ${unknown.join(', ')}`, {
          where: '--fields',
          hint: `use a comma-separated list of ${FIELDS.join(', ')}`,
        });
      }
      const minCoverage = Number(opts.minCoverage);
      if (!Number.isFinite(minCoverage) || minCoverage < 0 || minCoverage > 1) {
        throw new TaneError('USAGE', `--min-coverage must be between 0 and 1 (got ${opts.minCoverage})`, {
          where: '--min-coverage',
          hint: 'for example --min-coverage 0.5 to require half of the test item',
        });
      }
      const outDir = resolve(opts.out ?? `${datasetDir}.decontaminated`);
      if (outDir === datasetDir) {
        throw new TaneError('USAGE', 'the cleaned copy cannot replace the dataset folder', {
          where: '--out',
          hint: 'give another folder with -o; the original stays as the sink wrote it',
        });
      }
      const { decontaminateDataset, renderDecontaminationReport } = await import(
        '@tane/plugin-decontaminate'
      );
      const report = await decontaminateDataset({
        datasetDir,
        outDir,
        testSets: opts.against.map((path) => ({
          path: resolve(path),
          format: opts.format as (typeof FORMATS)[number],
          ...(opts.textField ? { textFields: opts.textField } : {}),
          ...(opts.idField ? { idField: opts.idField } : {}),
        })),
        fields: fields as (typeof FIELDS)[number][],
        charNgram: wholeNumber('--char-ngram', opts.charNgram, 3),
        wordNgram: wholeNumber('--word-ngram', opts.wordNgram, 3),
        minMatches: wholeNumber('--min-matches', opts.minMatches, 1),
        minItemCoverage: minCoverage,
        maxItemsPerNgram: wholeNumber('--max-items-per-ngram', opts.maxItemsPerNgram, 1),
        ...(opts.cache ? { cacheFile: resolve(opts.cache) } : {}),
      });
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        return;
      }
      process.stdout.write(`${renderDecontaminationReport(report)}\n`);
      process.stdout.write(`cleaned copy written to ${outDir}\n`);
    });
}
