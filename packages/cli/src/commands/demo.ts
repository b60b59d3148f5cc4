import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { TaneError } from '@tane/core';
import { type LoadedPipeline, loadPipeline } from '@tane/core/engine';
import type { Command } from 'commander';
import { addCommonOptions, type CommonOptions, loggerFor, transportFor } from '../context.ts';
import { datasetDirOf, renderCategoryTable } from '../dataset-table.ts';
import { ExitCode } from '../exit-codes.ts';
import { readInputFile, readInputRecords } from '../input-records.ts';
import { wholeNumber } from '../option-values.ts';
import { progressMode } from '../progress.ts';
import { publishRecords } from '../publish-records.ts';
import { recordRunFacts } from '../record-run-facts.ts';
import { preflight, runPipeline } from '../run-pipeline.ts';
import { categoriesFor, topUp } from '../top-up.ts';

interface DemoFlags extends CommonOptions {
  example?: string;
  target?: string;
  runId?: string;
  dataDir: string;
  maxRounds: string;
  progress?: string;
}

/** The example sets that ship with tane (the `@tane/examples` package). */
function examplesDir(): string | undefined {
  try {
    return dirname(createRequire(import.meta.url).resolve('@tane/examples/package.json'));
  } catch {
    return undefined;
  }
}

function findExample(name: string): string {
  const shipped = examplesDir();
  const candidates = [resolve(name), resolve('examples', name), ...(shipped ? [resolve(shipped, name)] : [])];
  for (const c of candidates) if (existsSync(join(c, 'pipeline.yaml'))) return c;
  const sets = shipped
    ? readdirSync(shipped).filter((d) => existsSync(join(shipped, d, 'pipeline.yaml')))
    : [];
  throw new TaneError('USAGE', `no example named '${name}'`, {
    hint:
      sets.length > 0
        ? `give a folder with pipeline.yaml, or one of: ${sets.join(', ')}`
        : 'give a folder with pipeline.yaml (the example sets come with @tane/examples: npm install @tane/examples)',
  });
}

/** Sets `quota.target` of every category-router stage (the quota `--target` asks for). */
function setQuotaTarget(pipeline: LoadedPipeline, target: number): void {
  for (const [id, plugin] of Object.entries(pipeline.plugins)) {
    if (plugin.definition.name !== '@tane/plugin-category-router') continue;
    const config = pipeline.configs[id]!;
    config.quota = { ...(config.quota as Record<string, unknown>), target };
  }
}

/** `tane demo` with no --example: the project in this folder if there is one, else ja-business. */
function defaultExample(): string {
  return existsSync(resolve('pipeline.yaml')) ? '.' : 'ja-business';
}

export function demoCommand(program: Command): void {
  addCommonOptions(
    program
      .command('demo')
      .summary('run the whole job end to end: seeds → generate → judge → repair → dedup → dataset')
      .description(
        'The main job in one command. It publishes an example set’s seeds, plans generation tasks, runs the ' +
          'pipeline on the embedded log (or --transport) until every category has its target of accepted ' +
          'examples, then prints a per-category table and writes the dataset, manifest.json and report.html. ' +
          'Without OPENAI_BASE_URL it starts llm-sim, the built-in simulator, and says so. Running it again ' +
          'does not duplicate anything: it tops up what is missing and otherwise only reports.',
      ),
  )
    .option(
      '--example <name>',
      'example set: a folder with pipeline.yaml, or a shipped set (default: this folder when it has a pipeline.yaml, as after `tane init`; else ja-business)',
    )
    .option(
      '--target <n>',
      "accepted examples per category, and the router's quota (default: each category's target in the categories file)",
    )
    .option('--run-id <id>', 'run id for task ids (default demo-<example>)')
    .option('--max-rounds <n>', 'top-up rounds before giving up', '8')
    .option('--progress <mode>', 'auto | tty | plain | off', 'auto')
    .addHelpText(
      'after',
      `
Examples:
  $ tane demo                                   # this project (after tane init), else ja-business
  $ tane demo --example ja-business             # 20 Japanese business categories, simulator
  $ tane demo --example en-general --target 10
  # the same against a real OpenAI-compatible server (vLLM serving Mixtral-8x22B):
  $ OPENAI_BASE_URL=http://127.0.0.1:8000/v1 OPENAI_API_KEY=… TANE_MODEL=mistralai/Mixtral-8x22B-Instruct-v0.1 tane demo

Exit codes: 0 every category reached its target; 3 some are below it after --max-rounds (run it
again to top them up); 1 the run failed; 2 bad usage or an invalid pipeline.`,
    )
    .action(async (opts: DemoFlags) => {
      // Counts are checked before the simulator or the log is started.
      const target = opts.target !== undefined ? wholeNumber('--target', opts.target, 0) : undefined;
      const maxRounds = wholeNumber('--max-rounds', opts.maxRounds, 1);
      const logger = loggerFor(opts);
      const out = (s: string) => process.stdout.write(`${s}\n`);
      const exampleDir = findExample(opts.example ?? defaultExample());
      let sim: { url: string; close(): Promise<void> } | undefined;
      if (!process.env.OPENAI_BASE_URL) {
        const { startLlmSim } = await import('@tane/llm-sim');
        sim = await startLlmSim({ port: 0 });
        process.env.OPENAI_BASE_URL = sim.url;
        process.env.OPENAI_API_KEY ??= 'sk-simulator-no-key';
        out(
          `▶ Using llm-sim, tane's built-in SIMULATOR at ${sim.url} — not a real model; the text is synthetic.`,
        );
        out('  To use a real OpenAI-compatible server, run the same command with');
        out(
          '  OPENAI_BASE_URL=http://<host>:8000/v1 OPENAI_API_KEY=<key> TANE_MODEL=mistralai/Mixtral-8x22B-Instruct-v0.1',
        );
      } else {
        out(
          `▶ Using the model endpoint ${new URL(process.env.OPENAI_BASE_URL).origin} (model ${process.env.TANE_MODEL ?? 'default'})`,
        );
      }
      const pipeline = await loadPipeline(join(exampleDir, 'pipeline.yaml'));
      // The simulator may also be behind OPENAI_BASE_URL: the endpoint's model list says so.
      const checked = await preflight(pipeline, logger).catch(async (err: unknown) => {
        await sim?.close();
        throw err;
      });
      const simulator = checked.simulator || sim !== undefined;
      // A demo in another --data-dir is a run of its own: its embedded log lives there too.
      const transport = await transportFor(opts, logger);
      try {
        const { set } = await categoriesFor(pipeline);
        const prefix = pipeline.spec.topics.prefix;
        // --target is the quota too: the router stops a category at it, not at the file's target.
        if (target !== undefined) setQuotaTarget(pipeline, target);
        const targets = Object.fromEntries(set.categories.map((c) => [c.id, target ?? c.target]));
        out(
          `▶ ${set.categories.length} categories from ${relative(process.cwd(), exampleDir) || '.'}, ${target !== undefined ? `target ${target} accepted each` : 'each with the target of the categories file'}, on ${transport.description}`,
        );

        const seedsDir = join(exampleDir, 'seeds');
        const seeds = readdirSync(seedsDir)
          .filter((f) => f.endsWith('.jsonl'))
          .flatMap((f) => readInputRecords(join(seedsDir, f), readInputFile(join(seedsDir, f)), 'seed'));
        const bad = seeds.filter((s) => 'error' in s);
        for (const b of bad) logger.warn(`seed rejected: ${b.where}: ${'error' in b ? b.error : ''}`);
        const seedRecords = seeds.flatMap((s) => ('record' in s ? [s.record] : []));
        const pub = await publishRecords(transport, `${prefix}seeds`, seedRecords, {
          partitions: pipeline.spec.topics.partitions,
          skipExisting: true,
          compacted: true,
        });
        out(`▶ seeds: ${pub.published} published, ${pub.skipped} already there`);

        const runId = opts.runId ?? `demo-${pipeline.spec.name}`;
        let result: Awaited<ReturnType<typeof topUp>> | undefined;
        const started = Date.now();
        const datasetDir = datasetDirOf(pipeline, opts.dataDir, pipeline.spec.name);
        await runPipeline({
          pipeline,
          transport,
          logger,
          dataDir: opts.dataDir,
          untilIdle: true,
          quietMs: 500,
          progress: progressMode(opts.progress, !!opts.quiet),
          targets,
          preflightDone: true,
          onStopped: async () => recordRunFacts(datasetDir, { simulator }),
          whileRunning: async (engine) => {
            result = await topUp({
              transport,
              pipeline,
              categories: set,
              runId,
              logger,
              ...(target !== undefined ? { untilAccepted: target } : {}),
              maxRounds,
              waitIdle: () => engine.waitUntilIdle({ quietMs: 500 }),
            });
          },
        });
        out(`\n▶ done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        if (datasetDir && existsSync(join(datasetDir, 'manifest.json'))) {
          out(renderCategoryTable(datasetDir, targets) ?? '');
          const { writeReport } = await import('@tane/report');
          const report = await writeReport(datasetDir);
          out(`\ndataset:  ${relative(process.cwd(), datasetDir)}/ (manifest.json, shards/, exports/)`);
          out(`report:   ${relative(process.cwd(), report)}`);
        }
        if (result && result.short.length > 0) {
          out(
            `\n${result.short.length} categories are below target after ${result.rounds} rounds: ${result.short.join(', ')}`,
          );
          out('Run the same command again to top them up, or raise --max-rounds.');
          process.exitCode = ExitCode.PARTIAL;
        }
        if (simulator)
          out(
            '\n(generated with llm-sim, the simulator — point OPENAI_BASE_URL at a real server for real data)',
          );
      } finally {
        await transport.close();
        await sim?.close();
      }
    });
}
