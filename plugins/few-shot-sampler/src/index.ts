/**
 * The few-shot-sampler plugin: attaches Self-Instruct few-shot examples to
 * every task, from a per-category pool of seeds and accepted examples.
 */
import { definePlugin, ENGINE_API } from '@tane/core';
import pkg from '../package.json' with { type: 'json' };
import { type FewShotSamplerConfig, fewShotSamplerConfigSchema } from './config.ts';
import { createFewShotSampler } from './few-shot-sampler.ts';

export { chooseFewShot, type FewShotMix } from './choose-few-shot.ts';
export { type FewShotSamplerConfig, fewShotSamplerConfigSchema } from './config.ts';
export { ExamplePool, type FewShotExample, type PoolAddResult } from './example-pool.ts';
export { seededRandom } from './seeded-random.ts';

/** Attaches `data.fewShot` to every task: seeds mixed with accepted examples, chosen by the task id. */
export default definePlugin<FewShotSamplerConfig>({
  name: pkg.name,
  version: pkg.version,
  engineApi: ENGINE_API,
  summary: 'Attaches deterministic few-shot examples from a pool of seeds and accepted examples',
  description:
    'Keeps a pool per category: the seeds from the seeds topic plus accepted examples streamed back ' +
    'from the dataset topic (online Self-Instruct bootstrapping). For each task it sets `data.fewShot` to ' +
    '`k` examples, by default 6 human-written seeds and 2 machine-generated ones; when one kind runs short ' +
    'the other fills in. The choice is seeded by the task id, so the same task and the same pool give the ' +
    'same prompt, and over many tasks every example is used about equally. The pool is rebuilt from the ' +
    'topics on start and follows them while the pipeline runs. A task whose category has no seeds fails ' +
    'and goes to the dead-letter topic.',
  examples: [
    { title: 'Self-Instruct mix', summary: '6 seeds and 2 accepted examples per task.', config: {} },
    {
      title: 'Seeds only',
      summary: 'Never show the model its own output.',
      config: { k: 6, seeds: 6, generated: 0, maxGenerated: 0 },
    },
    {
      title: 'More bootstrapping',
      summary: 'Half seeds, half accepted examples, from a larger sample of the dataset.',
      config: { k: 8, seeds: 4, generated: 4, maxGenerated: 5000 },
    },
  ],
  configSchema: fewShotSamplerConfigSchema,
  routes: [{ name: 'task', description: 'The task, with `data.fewShot` set.' }],
  accepts: ['task'],
  emits: ['task'],
  create: (config, ctx) => createFewShotSampler(config, ctx),
});
