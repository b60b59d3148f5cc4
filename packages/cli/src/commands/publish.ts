import type { TaneRecord } from '@tane/core';
import { loadPipeline, readPipelineFile } from '@tane/core/engine';
import type { Command } from 'commander';
import { addCommonOptions, type CommonOptions, loggerFor, transportFor } from '../context.ts';
import { ExitCode } from '../exit-codes.ts';
import { readInputFile, readInputRecords } from '../input-records.ts';
import { publishRecords } from '../publish-records.ts';
import { categoriesFor } from '../top-up.ts';

interface PublishFlags extends CommonOptions {
  type?: string;
  prefix?: string;
  pipeline?: string;
  partitions: string;
  skipExisting?: boolean;
  dryRun?: boolean;
}

export function publishCommand(program: Command): void {
  addCommonOptions(
    program
      .command('publish')
      .summary('validate records from files and publish them to a topic')
      .description(
        'Reads records from JSONL, JSON, YAML or CSV files (or - for stdin), validates every line, and publishes ' +
          'the valid ones to <topic>, keyed by category. A bad line is reported with file:line and skipped; ' +
          'the rest is still published. For the seeds topic, flat rows {id, category, instruction, input, ' +
          'output} become seed records (other fields such as lang or source are kept in meta.extra); anything ' +
          'else must be a full record envelope (docs/records.md). Lines that are not valid UTF-8, over the size ' +
          'limits, or (with --pipeline) seeds of a category the pipeline does not have are rejected.',
      )
      .argument('<topic>', 'logical topic name (seeds, tasks, …); the prefix is added')
      .argument('<files...>', 'input files, or - for stdin'),
  )
    .option('--type <type>', 'convert flat rows to records of this type (default: seed for the seeds topic)')
    .option('--prefix <prefix>', 'topic prefix (default: from --pipeline, else tane.)')
    .option(
      '--pipeline <file>',
      'take the topic prefix and partition count from this pipeline file, and refuse seeds of categories it does not have',
    )
    .option('--partitions <n>', 'partitions when the topic is created', '4')
    .option('--no-skip-existing', 'publish records even if their id is already on the topic')
    .option('--dry-run', 'validate only; publish nothing')
    .addHelpText(
      'after',
      `
Examples:
  $ tane publish seeds examples/ja-business/seeds/*.jsonl
  $ cat more-seeds.csv | tane publish seeds - --type seed
  $ tane publish tasks tasks.jsonl --transport kafka://127.0.0.1:9092

Exit codes: 0 all published, 3 some lines rejected (the rest published), 2 usage.`,
    )
    .action(async (topicName: string, files: string[], opts: PublishFlags) => {
      const logger = loggerFor(opts);
      let prefix = opts.prefix ?? 'tane.';
      let partitions = Number(opts.partitions);
      let known: Set<string> | undefined;
      if (opts.pipeline) {
        const { spec } = readPipelineFile(opts.pipeline);
        prefix = opts.prefix ?? spec.topics.prefix;
        partitions = spec.topics.partitions;
        if (topicName === 'seeds') {
          // Seeds of a category the pipeline does not have would never be used: refuse them here.
          const loaded = await loadPipeline(opts.pipeline);
          const routed = Object.values(loaded.plugins).some(
            (p) => p.definition.name === '@tane/plugin-category-router',
          );
          if (routed) known = new Set((await categoriesFor(loaded)).set.categories.map((c) => c.id));
        }
      }
      const type = opts.type ?? (topicName === 'seeds' ? 'seed' : undefined);
      const records: TaneRecord[] = [];
      const errors: { where: string; error: string }[] = [];
      for (const file of files) {
        const input = readInputFile(file);
        const items = readInputRecords(file, input, type);
        if (items.length === 0) {
          process.stderr.write(
            `warning: ${file === '-' ? '<stdin>' : file} ${input.text.trim() === '' ? 'is empty' : 'holds no records'}: nothing to publish from it\n`,
          );
        }
        for (const item of items) {
          if ('record' in item && known && !known.has(item.record.category)) {
            errors.push({
              where: item.where,
              error: `category '${item.record.category}' is not in the pipeline's categories (${[...known].join(', ')}); add it to the categories file or fix the seed`,
            });
          } else if ('record' in item) records.push(item.record);
          else errors.push(item);
        }
      }
      for (const e of errors) process.stderr.write(`✗ ${e.where}: ${e.error}\n`);
      const topic = `${prefix}${topicName}`;
      if (opts.dryRun) {
        process.stdout.write(
          `${records.length} valid, ${errors.length} rejected (dry run: nothing published)\n`,
        );
      } else {
        const transport = await transportFor(opts, logger);
        try {
          const { published, skipped } = await publishRecords(transport, topic, records, {
            partitions,
            skipExisting: opts.skipExisting !== false,
            compacted: topicName === 'seeds',
          });
          process.stdout.write(
            `published ${published} record${published === 1 ? '' : 's'} to ${topic} on ${transport.description}` +
              `${skipped ? ` (${skipped} already there, skipped)` : ''}` +
              `${errors.length ? `; ${errors.length} line${errors.length === 1 ? '' : 's'} rejected` : ''}\n`,
          );
        } finally {
          await transport.close();
        }
      }
      process.exitCode = errors.length > 0 ? ExitCode.PARTIAL : ExitCode.OK;
    });
}
