/**
 * The category-router plugin, and the categories library the CLI and other
 * plugins use: {@link loadCategories} reads a categories file, {@link planTasks}
 * turns it into the task records of a run.
 */
import { definePlugin, ENGINE_API } from '@tane/core';
import pkg from '../package.json' with { type: 'json' };
import { createCategoryRouter } from './category-router.ts';
import { type CategoryRouterConfig, categoryRouterConfigSchema } from './config.ts';

export { AcceptedByRound, AcceptedCounter, countAccepted } from './accepted-counter.ts';
export {
  CATEGORY_ID_PATTERN,
  type CategorySet,
  type CategorySettings,
  categorySetSchema,
  LANGUAGE_TAG_PATTERN,
} from './category-set.ts';
export { type CategoryRouterConfig, categoryRouterConfigSchema } from './config.ts';
export { countPlanned, lastRound } from './count-planned.ts';
export { loadCategories, parseCategories } from './load-categories.ts';
export { type PlanTasksOptions, planTasks, type TaskData } from './plan-tasks.ts';

/** Routes each task to its category's settings and stops categories that reached their target. */
export default definePlugin<CategoryRouterConfig>({
  name: pkg.name,
  version: pkg.version,
  engineApi: ENGINE_API,
  summary: 'Routes each task to its category settings, with closed-loop quotas',
  description:
    'Reads the categories file and sets `meta.category` on every task to its category’s settings ' +
    '(name, description, language, target, prompt/rubric/model overrides), which the generator, judge and ' +
    'repairer read. With quotas on, it counts accepted examples per category on the dataset topic ' +
    '(read to its end at start, then followed) and sends the tasks of a category that has reached its ' +
    '`target` to `quota_reached` instead of generating more. A task of an unknown category fails with the ' +
    'reason and goes to the dead-letter topic.',
  examples: [
    {
      title: 'Route tasks with quotas',
      summary: 'Stop generating for a category once the dataset holds its target.',
      config: { categories: 'categories.yaml' },
    },
    {
      title: 'Without quotas',
      summary: 'Generate every task, however many examples are already accepted.',
      config: { categories: '../shared/categories.yaml', quota: { enabled: false } },
    },
  ],
  configSchema: categoryRouterConfigSchema,
  routes: [
    { name: 'task', description: 'The task, with `meta.category` set to its category settings.' },
    {
      name: 'quota_reached',
      description: 'The task’s category already has its target of accepted examples (map it to `drop`).',
    },
  ],
  accepts: ['task'],
  emits: ['task'],
  create: (config, ctx) => createCategoryRouter(config, ctx),
});
