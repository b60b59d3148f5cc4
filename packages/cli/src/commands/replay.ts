import { TaneError } from '@tane/core';
import { loadPipeline, planTopology } from '@tane/core/engine';
import type { Command } from 'commander';
import { loggerFor, transportFor } from '../context.ts';
import { datasetDirOf } from '../dataset-table.ts';
import { progressMode } from '../progress.ts';
import { recordRunFacts } from '../record-run-facts.ts';
import { preflight, runPipeline } from '../run-pipeline.ts';
import { startTelemetry } from '../telemetry.ts';
import { addRunOptions, type RunFlags } from './run.ts';

interface ReplayFlags extends RunFlags {
  from: string;
  suffix: string;
  fromOffset?: string;
  fromTimestamp?: string;
}

export function replayCommand(program: Command): void {
  const command = addRunOptions(
    program
      .command('replay')
      .summary('re-run part of a pipeline from a checkpoint topic into versioned outputs')
      .description(
        'Runs the stages downstream of a checkpoint topic (e.g. generated → judge → … → dataset) under a new ' +
          'consumer group (<prefix><pipeline>.replay.<suffix>, e.g. tane.ja-business.replay.v2), reading the original checkpoint topic and writing every output topic with a suffix ' +
          '(tane.dataset.v2, tane.rejected.v2, tane.dlq.v2). The original topics and groups are not touched, and ' +
          'the generator is not called again. Like Kafka Streams’ reset tool, but non-destructive.',
      )
      .argument('<pipeline>', 'the pipeline YAML file (usually with a new judge version or config)'),
  );
  // The run options say the group of `tane run`; a replay has its own.
  const groupOption = command.options.find((o) => o.long === '--group');
  if (groupOption) groupOption.description = 'consumer group (default: <prefix><pipeline>.replay.<suffix>)';
  command
    .requiredOption('--from <topic>', 'logical input topic to replay from (e.g. generated)')
    .requiredOption('--suffix <name>', 'suffix for the output topics, group and dataset (e.g. v2)')
    .option('--from-offset <n>', 'start every partition at this offset')
    .option('--from-timestamp <iso>', 'start at the first record written at or after this time')
    .addHelpText(
      'after',
      `
Recipe — re-judge last week's generations with judge 1.3, without calling the generator:
  1. in the pipeline file set   judge: { plugin: "@tane/plugin-judge@^1.3.0", ... }
  2. $ tane replay pipeline.yaml --from generated --suffix judge-1-3 --from-timestamp 2026-11-18T00:00:00Z --until-idle
  3. the new dataset is written by the sink under its runId <pipeline>.judge-1-3, and
     the accepted records are on tane.dataset.judge-1-3

Running the same replay command again resumes it (same group); pick a new suffix to start over.`,
    )
    .action(async (file: string, opts: ReplayFlags) => {
      const logger = loggerFor(opts);
      const pipeline = await loadPipeline(file);
      const replay = { from: opts.from, suffix: opts.suffix };
      const topology = planTopology(pipeline.spec, replay);
      const group = opts.group ?? topology.defaultGroup;
      const { simulator } = await preflight(pipeline, logger);
      const transport = await transportFor(opts, logger);
      const telemetry = await startTelemetry(opts.metricsPort, logger);
      try {
        const source = topology.physical(opts.from);
        if (!(await transport.listTopics()).some((t) => t.name === source)) {
          throw new TaneError(
            'TOPIC_NOT_FOUND',
            `checkpoint topic ${source} does not exist on ${transport.description}`,
            {
              hint: 'run the pipeline first, or check --from and the topic prefix',
            },
          );
        }
        if (opts.fromOffset !== undefined || opts.fromTimestamp !== undefined) {
          await transport.createTopics(topology.topicSpecs);
          if (opts.fromTimestamp !== undefined) {
            const ts = Date.parse(opts.fromTimestamp);
            if (Number.isNaN(ts))
              throw new TaneError('USAGE', `--from-timestamp '${opts.fromTimestamp}' is not a date`, {
                hint: 'use ISO 8601, e.g. 2026-11-18T00:00:00Z',
              });
            await transport.resetOffsets(group, source, { to: 'timestamp', timestamp: ts });
          } else {
            const offset = Number(opts.fromOffset);
            const parts = await transport.offsets(source);
            await transport.resetOffsets(group, source, {
              to: 'offsets',
              offsets: parts.map((p) => ({ partition: p.partition, offset })),
            });
          }
        }
        logger.info(`replaying ${source} into *.${opts.suffix} topics with group ${group}`, {
          stages: topology.stages.join(','),
        });
        await runPipeline({
          pipeline,
          transport,
          logger,
          group,
          replay,
          preflightDone: true,
          onStopped: async () =>
            recordRunFacts(datasetDirOf(pipeline, opts.dataDir ?? '.tane', topology.runId), { simulator }),
          untilIdle: !!opts.untilIdle,
          quietMs: Number(opts.quietMs ?? 1500),
          progress: progressMode(opts.progress, !!opts.quiet),
          ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
          ...(telemetry ? { hooks: telemetry.hooks, onLag: telemetry.recordLag } : {}),
        });
      } finally {
        await telemetry?.shutdown();
        await transport.close();
      }
    });
}
