import { loadPipeline } from '@tane/core/engine';
import { type Command, Option } from 'commander';
import { addCommonOptions, type CommonOptions, loggerFor, transportFor } from '../context.ts';
import { datasetDirOf } from '../dataset-table.ts';
import { ExitCode } from '../exit-codes.ts';
import { progressMode } from '../progress.ts';
import { recordRunFacts } from '../record-run-facts.ts';
import { preflight, runPipeline } from '../run-pipeline.ts';
import { startTelemetry } from '../telemetry.ts';

export interface RunFlags extends CommonOptions {
  group?: string;
  untilIdle?: boolean;
  quietMs?: string;
  dataDir?: string;
  progress?: string;
  metricsPort?: string;
}

export function addRunOptions(cmd: Command): Command {
  return addCommonOptions(cmd)
    .option('--group <id>', 'consumer group (default: <prefix><pipeline>)')
    .option(
      '--until-idle',
      'exit once every input is consumed, processed and committed (batch runs, demos, CI)',
    )
    .option('--quiet-ms <ms>', 'with --until-idle: how long the pipeline must stay idle', '1500')
    .addOption(
      new Option('--progress <mode>', 'live progress display')
        .choices(['auto', 'tty', 'plain', 'off'])
        .default('auto'),
    )
    .option('--metrics-port <port>', 'serve Prometheus metrics on 127.0.0.1:<port>');
}

export function runCommand(program: Command): void {
  addRunOptions(
    program
      .command('run')
      .summary('run a pipeline as one worker')
      .description(
        'Runs a pipeline as one member of its consumer group: consumes the input topics, runs the stages and ' +
          'writes routed records to topics. Start more workers with the same pipeline and group to scale out ' +
          'on Kafka. Offsets are committed only when every record derived from them is written, so a crash ' +
          'loses nothing and repeats at most the work in flight. SIGINT/SIGTERM drain, commit and exit 0.',
      )
      .argument('<pipeline>', 'the pipeline YAML file'),
  )
    .addHelpText(
      'after',
      `
Examples:
  # a long-running worker on Kafka, with Prometheus metrics
  $ tane run examples/ja-business/pipeline.yaml --transport kafka://127.0.0.1:9092 --metrics-port 9464

  # process everything that is there now on the embedded log, then exit
  $ tane run examples/ja-business/pipeline.yaml --until-idle

Environment:
  TANE_TRANSPORT               default for --transport
  OPENAI_BASE_URL, OPENAI_API_KEY, TANE_MODEL   the model endpoint used by the model plugins
  OTEL_EXPORTER_OTLP_ENDPOINT  export traces and metrics over OTLP/HTTP
  TANE_HEAP_GROWING_PERCENT    V8 heap growth between full collections (default 50; 0 = V8's own)

Before consuming, every model endpoint the stages use is checked (GET /models, or a one-token
request): no OPENAI_BASE_URL, an unreachable server, a refused key or a model the server does not
serve stops the run with exit 2 and nothing consumed or committed.

Exit codes: 0 done (or drained after a signal), 1 run failed, 2 invalid pipeline, usage or model
setup (nothing consumed), 3 done but some records were dead-lettered (the count and the topic are printed).`,
    )
    .action(async (file: string, opts: RunFlags) => {
      const logger = loggerFor(opts);
      const pipeline = await loadPipeline(file);
      const { simulator } = await preflight(pipeline, logger);
      if (simulator) {
        logger.warn(
          'the model endpoint is llm-sim, the SIMULATOR: the data is synthetic (marked so in manifest.json)',
        );
      }
      const transport = await transportFor(opts, logger);
      const telemetry = await startTelemetry(opts.metricsPort, logger);
      try {
        const { engine } = await runPipeline({
          pipeline,
          transport,
          logger,
          preflightDone: true,
          onStopped: async (engine) =>
            recordRunFacts(datasetDirOf(pipeline, opts.dataDir ?? '.tane', engine.topology.runId), {
              simulator,
            }),
          untilIdle: !!opts.untilIdle,
          quietMs: Number(opts.quietMs ?? 1500),
          progress: progressMode(opts.progress, !!opts.quiet),
          ...(opts.group ? { group: opts.group } : {}),
          ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
          ...(telemetry ? { hooks: telemetry.hooks, onLag: telemetry.recordLag } : {}),
        });
        const dead = engine.stats.deadLettered;
        if (dead > 0) {
          const dlq = engine.topology.physical('dlq');
          process.stderr.write(
            `${dead} record${dead === 1 ? ' was' : 's were'} dead-lettered to ${dlq}: look at them with ` +
              `\`tane topics tail ${dlq}\` (each has the error, its hint and the source offset)\n`,
          );
          process.exitCode = ExitCode.PARTIAL;
        }
      } finally {
        await telemetry?.shutdown();
        await transport.close();
      }
    });
}
