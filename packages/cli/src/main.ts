import { redactSecrets, TaneError } from '@tane/core';
import { Command, CommanderError } from 'commander';
import pkg from '../package.json' with { type: 'json' };
import { decontaminateCommand } from './commands/decontaminate.ts';
import { demoCommand } from './commands/demo.ts';
import { dlqCommand } from './commands/dlq.ts';
import { generateCommand } from './commands/generate.ts';
import { importCommand } from './commands/import.ts';
import { llmSimCommand } from './commands/llm-sim.ts';
import { pluginsCommand } from './commands/plugins.ts';
import { publishCommand } from './commands/publish.ts';
import { replayCommand } from './commands/replay.ts';
import { reportCommand } from './commands/report.ts';
import { runCommand } from './commands/run.ts';
import { topicsCommand } from './commands/topics.ts';
import { validateCommand } from './commands/validate.ts';
import { ExitCode } from './exit-codes.ts';

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

export function buildProgram(): Command {
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

Docs: docs/README.md · records: docs/records.md · plugins: docs/plugin-authoring.md`,
    );
  for (const add of [
    demoCommand,
    runCommand,
    validateCommand,
    publishCommand,
    importCommand,
    generateCommand,
    replayCommand,
    topicsCommand,
    dlqCommand,
    pluginsCommand,
    reportCommand,
    decontaminateCommand,
    llmSimCommand,
  ]) {
    add(program);
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
  const program = buildProgram();
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
    if (err instanceof TaneError) {
      process.stderr.write(`error: ${redactSecrets(err.format())}\n`);
      return USAGE_CODES.has(err.code) ? ExitCode.USAGE : ExitCode.FAILURE;
    }
    process.stderr.write(`error: ${redactSecrets((err as Error)?.stack ?? String(err))}\n`);
    return ExitCode.FAILURE;
  }
}
