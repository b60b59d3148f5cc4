import { TaneError } from '@tane/core';
import { type LoadedPipeline, loadPipeline } from '@tane/core/engine';
import type { Command } from 'commander';
import { addCommonOptions, type CommonOptions, loggerFor, transportFor } from '../context.ts';
import { wholeNumber } from '../option-values.ts';
import { categoriesFor, topUp, waitForGroup } from '../top-up.ts';

interface GenerateFlags extends CommonOptions {
  perCategory?: string;
  untilAccepted?: string;
  runId?: string;
  k: string;
  categories?: string;
  group?: string;
  maxRounds: string;
}

export function generateCommand(program: Command): void {
  addCommonOptions(
    program
      .command('generate')
      .summary('publish the generation tasks of a run')
      .description(
        'Publishes task records (one generation request each: category, index, k examples) to the tasks topic. ' +
          'Task ids come from the run id, category and index, so running the same command twice publishes ' +
          'nothing new. With --until-accepted it keeps topping up each category, round after round, until its ' +
          'accepted count reaches N — while workers (tane run) process the tasks.',
      )
      .argument('<pipeline>', 'the pipeline YAML file (its category-router stage names the categories file)'),
  )
    .option('--per-category <n>', 'plan tasks for n examples per category (one round)')
    .option('--until-accepted <n>', 'top up until every category has n accepted examples')
    .option('--run-id <id>', 'run id: same id, same task ids (default: the pipeline name)')
    .option('-k, --k <n>', 'examples requested per task', '8')
    .option('--categories <file>', "categories file (default: from the pipeline's category-router stage)")
    .option(
      '--group <id>',
      'with --until-accepted: the workers’ consumer group to wait for (default <prefix><pipeline>)',
    )
    .option('--max-rounds <n>', 'with --until-accepted: give up after n rounds', '10')
    .addHelpText(
      'after',
      `
Examples:
  $ tane generate examples/ja-business/pipeline.yaml --per-category 200 --run-id 2026-w48
  # in another terminal (or on many machines): tane run examples/ja-business/pipeline.yaml
  $ tane generate examples/ja-business/pipeline.yaml --until-accepted 50 --run-id 2026-w48   # the file's target`,
    )
    .action(async (file: string, opts: GenerateFlags) => {
      const perCategory =
        opts.perCategory !== undefined ? wholeNumber('--per-category', opts.perCategory, 0) : undefined;
      const goal =
        opts.untilAccepted !== undefined ? wholeNumber('--until-accepted', opts.untilAccepted, 0) : undefined;
      const k = wholeNumber('--k', opts.k, 1);
      const maxRounds = wholeNumber('--max-rounds', opts.maxRounds, 1);
      if ((perCategory === undefined) === (goal === undefined)) {
        throw new TaneError('USAGE', 'give exactly one of --per-category <n> or --until-accepted <n>', {
          hint: 'e.g. tane generate pipeline.yaml --per-category 100',
        });
      }
      const logger = loggerFor(opts);
      const pipeline = await loadPipeline(file);
      const { set } = await categoriesFor(pipeline, opts.categories);
      if (goal !== undefined) {
        // The workers' router stops a category at its quota; a goal above it is never reached.
        const quota = routerQuota(pipeline);
        const capped = quota.enabled
          ? set.categories.filter((c) => (quota.target ?? c.target) < goal).map((c) => c.id)
          : [];
        if (capped.length > 0)
          logger.warn(
            `--until-accepted ${goal} is above the quota of ${capped.length} categories (${capped.slice(0, 5).join(', ')}${capped.length > 5 ? ', …' : ''}): the router sends their tasks to quota_reached at ${quota.target !== undefined ? `quota.target ${quota.target}` : 'the target of the categories file'}; raise their target, or set quota.target on the category-router stage`,
          );
      }
      const transport = await transportFor(opts, logger);
      const prefix = pipeline.spec.topics.prefix;
      const group = opts.group ?? `${prefix}${pipeline.spec.name}`;
      try {
        const result = await topUp({
          transport,
          pipeline,
          categories: set,
          runId: opts.runId ?? pipeline.spec.name,
          logger,
          k,
          maxRounds,
          ...(perCategory !== undefined ? { perCategory } : {}),
          ...(goal !== undefined
            ? {
                untilAccepted: goal,
                waitIdle: () =>
                  waitForGroup(
                    transport,
                    group,
                    Object.keys(pipeline.spec.inputs).map((t) => `${prefix}${t}`),
                    { logger },
                  ),
              }
            : {}),
        });
        process.stdout.write(`published ${result.published} tasks in ${result.rounds} round(s)\n`);
        if (opts.untilAccepted !== undefined && result.short.length > 0) {
          process.stdout.write(`below target: ${result.short.join(', ')}\n`);
          process.exitCode = 3;
        }
      } finally {
        await transport.close();
      }
    });
}

/** The quota of the pipeline's category-router stage: on or off, and its `quota.target` if set. */
function routerQuota(pipeline: LoadedPipeline): { enabled: boolean; target?: number } {
  for (const [id, plugin] of Object.entries(pipeline.plugins)) {
    if (plugin.definition.name !== '@tane/plugin-category-router') continue;
    const quota = (pipeline.configs[id]?.quota ?? {}) as { enabled?: boolean; target?: number };
    return {
      enabled: quota.enabled !== false,
      ...(quota.target !== undefined ? { target: quota.target } : {}),
    };
  }
  return { enabled: false };
}
