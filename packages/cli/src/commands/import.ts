import { readFileSync, statSync } from 'node:fs';
import type { TaneRecord } from '@tane/core';
import { readPipelineFile } from '@tane/core/engine';
import { emptyTally, expandPaths, importSource, readSourcesFile, type SourceTally } from '@tane/import';
import type { Command } from 'commander';
import { parseDocument } from 'yaml';
import { addCommonOptions, type CommonOptions, loggerFor, transportFor } from '../context.ts';
import { ExitCode } from '../exit-codes.ts';
import { idsOnTopic } from '../publish-records.ts';

interface ImportFlags extends CommonOptions {
  pipeline?: string;
  topic: string;
  prefix?: string;
  partitions: string;
  only?: string[];
  dryRun?: boolean;
  maxBadShown: string;
}

const BATCH = 1000;

function rate(n: number, ms: number): string {
  return ms > 0 ? `${Math.round((n * 1000) / ms)}/s` : '-';
}

function clock(s: number): string {
  if (!Number.isFinite(s)) return '--:--';
  const m = Math.floor(s / 60);
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
}

export function importCommand(program: Command): void {
  addCommonOptions(
    program
      .command('import')
      .summary('import public instruction datasets as candidates into the pipeline')
      .description(
        'Reads the datasets named under sources: in <file> (a pipeline file or a file of its own) — Alpaca, ' +
          'Dolly, prompt/completion, ShareGPT or OpenAI messages rows in JSONL, JSON, CSV or Parquet, plain, .gz ' +
          'or .zst, from a file, a glob or a Hugging Face dataset folder — and publishes each row as a candidate ' +
          'record to the generated topic, where the judge (or, for judge: none, straight dedup) picks it up like a ' +
          'generated one. Ids are derived from the content, so importing the same files twice adds nothing. A bad ' +
          'row is reported with file:line (Parquet: row group and row) and skipped. Each record keeps its origin ' +
          'in meta.import: source name@file-hash, license, language, file and row number. See docs/mixing.md.',
      )
      .argument('<file>', 'YAML file with a sources: section (the pipeline file, or a sources file)'),
  )
    .option(
      '--pipeline <file>',
      'take the topic prefix and partitions from this pipeline (default: <file> if it is one)',
    )
    .option('--topic <name>', 'logical topic to publish to', 'generated')
    .option('--prefix <prefix>', 'topic prefix (default: from the pipeline, else tane.)')
    .option(
      '--partitions <n>',
      'partitions when the topic is created (default: from the pipeline, else 4)',
      '4',
    )
    .option('--only <names...>', 'import only these sources')
    .option('--max-bad-shown <n>', 'print at most this many bad rows (all are counted)', '50')
    .option('--dry-run', 'read, map and count every row; publish nothing')
    .addHelpText(
      'after',
      `
Example sources: section:
  sources:
    - name: dolly-ja
      path: data/databricks-dolly-15k-ja.jsonl.gz   # a file, a glob, or a dataset folder
      format: dolly            # alpaca | dolly | prompt-completion | sharegpt | messages
      language: ja
      license: CC-BY-SA-3.0
      judge: 0.05              # all | none | a seeded share (chosen by id)
      category: { field: category, map: { open_qa: qa, closed_qa: qa }, fallback: general }
    - name: oasst
      path: oasst/             # data/train-*.parquet inside
      format: sharegpt
      multiTurn: each          # first | last | each | history
      system: input            # drop | input
      license: Apache-2.0
      category: { fixed: chat }

Examples:
  $ tane import examples/mix/pipeline.yaml --dry-run
  $ tane import sources.yaml --pipeline examples/mix/pipeline.yaml
  $ tane import sources.yaml --only dolly-ja --transport kafka://127.0.0.1:9092

Exit codes: 0 imported, 3 some rows were bad (reported and skipped, the rest imported), 2 bad sources: or usage.`,
    )
    .action(async (file: string, opts: ImportFlags) => {
      const logger = loggerFor(opts);
      const cfg = readSourcesFile(file);
      const isPipeline = (() => {
        const root = parseDocument(readFileSync(file, 'utf8')).toJSON() as Record<string, unknown> | null;
        return Boolean(root && typeof root === 'object' && 'pipeline' in root);
      })();
      const pipelineFile = opts.pipeline ?? (isPipeline ? file : undefined);
      let prefix = opts.prefix ?? 'tane.';
      let partitions = Number(opts.partitions);
      if (pipelineFile) {
        const { spec } = readPipelineFile(pipelineFile);
        prefix = opts.prefix ?? spec.topics.prefix;
        partitions = spec.topics.partitions;
      }
      const sources = cfg.sources.filter((s) => !opts.only || opts.only.includes(s.name));
      if (opts.only) {
        const missing = opts.only.filter((n) => !cfg.sources.some((s) => s.name === n));
        if (missing.length) {
          process.stderr.write(`error: USAGE: no source named ${missing.join(', ')} in ${file}\n`);
          process.exitCode = ExitCode.USAGE;
          return;
        }
      }
      // Total bytes, for the ETA.
      let totalBytes = 0;
      for (const s of sources) {
        for (const f of await expandPaths(s.path, cfg.baseDir, s.where)) totalBytes += statSync(f).size;
      }
      const topic = `${prefix}${opts.topic}`;
      const transport = opts.dryRun ? undefined : await transportFor(opts, logger);
      const maxShown = Number(opts.maxBadShown);
      let shownBad = 0;
      const tallies: SourceTally[] = [];
      let published = 0;
      let skipped = 0;
      let rows = 0;
      let doneBytes = 0;
      let current: () => number = () => 0;
      let lastSize = 0;
      const started = Date.now();
      const progressOn = !opts.quiet;
      const tick = () => {
        const ms = Date.now() - started;
        const bytes = doneBytes + current();
        const eta = bytes > 0 ? ((totalBytes - bytes) * (ms / bytes)) / 1000 : Number.NaN;
        process.stderr.write(
          `import: ${rows} rows, ${rate(rows, ms)}, ${Math.min(100, Math.round((bytes / Math.max(1, totalBytes)) * 100))} % of ${(totalBytes / 1e6).toFixed(1)} MB, ETA ${clock(eta)}\n`,
        );
      };
      const timer = progressOn ? setInterval(tick, process.stderr.isTTY ? 1000 : 5000) : undefined;
      timer?.unref();
      try {
        let existing = new Set<string>();
        let producer: Awaited<ReturnType<NonNullable<typeof transport>['producer']>> | undefined;
        if (transport) {
          await transport.createTopics([{ name: topic, partitions }]);
          existing = await idsOnTopic(transport, topic);
          producer = await transport.producer();
        }
        let batch: TaneRecord[] = [];
        const flush = async () => {
          if (producer && batch.length) {
            await producer.send(batch.map((value) => ({ topic, key: value.category, value })));
          }
          published += batch.length;
          batch = [];
        };
        try {
          for (const source of sources) {
            const tally = emptyTally(source.name);
            tallies.push(tally);
            const events = {
              bad: (where: string, error: string) => {
                if (shownBad < maxShown) process.stderr.write(`✗ ${where}: ${error}\n`);
                shownBad += 1;
              },
              file: (_f: string, size: number) => {
                doneBytes += lastSize;
                lastSize = size;
                current = () => 0;
              },
              bytes: (read: () => number) => {
                current = read;
              },
            };
            for await (const record of importSource(source, cfg.baseDir, tally, events)) {
              rows += 1;
              if (existing.has(record.id)) {
                skipped += 1;
                continue;
              }
              batch.push(record);
              if (batch.length >= BATCH) await flush();
            }
            await flush();
          }
        } finally {
          await producer?.close();
        }
      } finally {
        if (timer) clearInterval(timer);
        await transport?.close();
      }
      const ms = Date.now() - started;
      const bad = tallies.reduce((n, t) => n + t.bad, 0);
      for (const t of tallies) {
        const cats = Object.entries(t.categories)
          .map(([c, n]) => `${c} ${n}`)
          .join(', ');
        process.stdout.write(
          `${t.source}: ${t.rowsRead} rows in ${t.files} file${t.files === 1 ? '' : 's'} → ${t.records} records` +
            ` (${t.bad} bad, ${t.repeats} repeated in the source, ${t.fallback} to the fallback category, ${t.toJudge} to the judge)` +
            `${cats ? `; ${cats}` : ''}\n`,
        );
      }
      if (shownBad > maxShown)
        process.stderr.write(`… and ${shownBad - maxShown} more bad rows (see the counts above)\n`);
      process.stdout.write(
        opts.dryRun
          ? `${rows} records read in ${(ms / 1000).toFixed(1)} s (${rate(rows, ms)}); dry run: nothing published\n`
          : `published ${published} record${published === 1 ? '' : 's'} to ${topic}` +
              `${skipped ? ` (${skipped} already there, skipped)` : ''} in ${(ms / 1000).toFixed(1)} s (${rate(rows, ms)})\n`,
      );
      process.exitCode = bad > 0 ? ExitCode.PARTIAL : ExitCode.OK;
    });
}
