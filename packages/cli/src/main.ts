import { Command, CommanderError } from 'commander';
import pkg from '../package.json' with { type: 'json' };
import { ExitCode } from './exit-codes.ts';

type AddCommand = (program: Command) => void;

/**
 * Every command, with the one-line summary the top-level help lists. A command's module (and
 * with it the engine, the transports, the model client …) is imported only when that command
 * runs or shows its own help, so `tane --help` starts without loading any of them. The
 * summaries are checked against the commands' own in `test/help-texts.test.ts`.
 */
export const COMMANDS: {
  name: string;
  aliases?: string[];
  summary: string;
  load: () => Promise<AddCommand>;
}[] = [
  {
    name: 'init',
    summary: 'start a dataset project: pipeline file, categories, seeds and a README',
    load: async () => (await import('./commands/init.ts')).initCommand,
  },
  {
    name: 'demo',
    summary: 'run the whole job end to end: seeds → generate → judge → repair → dedup → dataset',
    load: async () => (await import('./commands/demo.ts')).demoCommand,
  },
  {
    name: 'run',
    summary: 'run a pipeline as one worker',
    load: async () => (await import('./commands/run.ts')).runCommand,
  },
  {
    name: 'validate',
    summary: 'check a pipeline file without running it',
    load: async () => (await import('./commands/validate.ts')).validateCommand,
  },
  {
    name: 'publish',
    summary: 'validate records from files and publish them to a topic',
    load: async () => (await import('./commands/publish.ts')).publishCommand,
  },
  {
    name: 'import',
    summary: 'import public instruction datasets as candidates into the pipeline',
    load: async () => (await import('./commands/import.ts')).importCommand,
  },
  {
    name: 'generate',
    summary: 'publish the generation tasks of a run',
    load: async () => (await import('./commands/generate.ts')).generateCommand,
  },
  {
    name: 'replay',
    summary: 're-run part of a pipeline from a checkpoint topic into versioned outputs',
    load: async () => (await import('./commands/replay.ts')).replayCommand,
  },
  {
    name: 'topics',
    summary: 'list, create and read topics',
    load: async () => (await import('./commands/topics.ts')).topicsCommand,
  },
  {
    name: 'dlq',
    summary: 'look at dead-lettered records and send them back once the cause is fixed',
    load: async () => (await import('./commands/dlq.ts')).dlqCommand,
  },
  {
    name: 'plugins',
    aliases: ['plugin'],
    summary: 'list installed plugins, describe their config, start a new one',
    load: async () => (await import('./commands/plugins.ts')).pluginsCommand,
  },
  {
    name: 'report',
    summary: 'write a self-contained HTML report for a dataset',
    load: async () => (await import('./commands/report.ts')).reportCommand,
  },
  {
    name: 'decontaminate',
    summary: 'remove rows that overlap benchmark test sets from a dataset built earlier',
    load: async () => (await import('./commands/decontaminate.ts')).decontaminateCommand,
  },
  {
    name: 'llm-sim',
    summary: 'start the deterministic OpenAI-compatible simulator (not a real model)',
    load: async () => (await import('./commands/llm-sim.ts')).llmSimCommand,
  },
];

const USAGE_CODES = new Set([
  'USAGE',
  'CONFIG_INVALID',
  'CONFIG_NOT_FOUND',
  'PIPELINE_INVALID',
  'PLUGIN_NOT_FOUND',
  'PLUGIN_VERSION_MISMATCH',
  'PLUGIN_API_MISMATCH',
  'PLUGIN_INVALID',
  'ROUTE_UNKNOWN',
  'INPUT_INVALID',
  'LLM_CONFIG',
  'LLM_UNREACHABLE',
  'LLM_MODEL_UNKNOWN',
]);

/**
 * The program for `argv`: the command `argv` names is loaded in full, every other one is
 * listed by name and summary only. With `all`, every command is loaded.
 */
export async function buildProgram(argv: string[] = [], all = false): Promise<Command> {
  const program = new Command('tane')
    .version(pkg.version)
    .description(
      'tane (種, "seed") turns a few hand-written seed examples into a large, judged, repaired and ' +
        'de-duplicated instruction-tuning dataset, with the Self-Instruct method, as a stream over Kafka ' +
        '(or an embedded SQLite log). Any OpenAI-compatible model (Mixtral-8x22B on vLLM, …) generates and judges.',
    )
    .configureHelp({ helpWidth: Math.min(process.stdout.columns || 100, 110) })
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Getting started:
  $ tane demo                                   # the whole job on the embedded log with the simulator
  $ OPENAI_BASE_URL=http://127.0.0.1:8000/v1 TANE_MODEL=mistralai/Mixtral-8x22B-Instruct-v0.1 tane demo

A typical run, step by step:
  $ tane validate examples/ja-business/pipeline.yaml
  $ tane publish seeds examples/ja-business/seeds/*.jsonl
  $ tane generate examples/ja-business/pipeline.yaml --per-category 100 --run-id week48
  $ tane run examples/ja-business/pipeline.yaml --until-idle
  $ tane report .tane/datasets/ja-business

Docs: every @tane package has a README (node_modules/@tane/<name>/README.md); a plugin's config is in
  $ tane plugins describe <name>
and the guides (records, pipelines, operations, plugin authoring) are in docs/ of the tane repository.`,
    );
  const words = argv.slice(2).filter((a) => !a.startsWith('-'));
  const wanted = words[0] === 'help' ? words[1] : words[0];
  for (const entry of COMMANDS) {
    if (all || entry.name === wanted || entry.aliases?.includes(wanted ?? '')) (await entry.load())(program);
    else {
      const stub = program
        .command(entry.name)
        .summary(entry.summary)
        .allowUnknownOption()
        .allowExcessArguments();
      for (const alias of entry.aliases ?? []) stub.alias(alias);
    }
  }
  program.exitOverride();
  program.commands.forEach(function override(c: Command) {
    c.exitOverride();
    c.configureHelp({ helpWidth: Math.min(process.stdout.columns || 100, 110) });
    c.commands.forEach(override);
  });
  return program;
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = await buildProgram(argv);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (
        err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version' ||
        err.code === 'commander.help'
      ) {
        return ExitCode.OK;
      }
      return ExitCode.USAGE;
    }
    const { redactSecrets, TaneError } = await import('@tane/core');
    if (err instanceof TaneError) {
      process.stderr.write(`error: ${redactSecrets(err.format())}\n`);
      return USAGE_CODES.has(err.code) ? ExitCode.USAGE : ExitCode.FAILURE;
    }
    process.stderr.write(`error: ${redactSecrets((err as Error)?.stack ?? String(err))}\n`);
    return ExitCode.FAILURE;
  }
}
