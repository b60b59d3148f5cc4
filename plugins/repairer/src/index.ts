/**
 * Rewrites fixable examples with the judge's feedback and sends them back to
 * the judge, a bounded number of times.
 */
import { definePlugin, ENGINE_API } from '@tane/core';
import { getLlmClient } from '@tane/llm';
import pkg from '../package.json' with { type: 'json' };
import { type RepairerConfig, repairerConfigSchema } from './repairer-config.ts';
import { createRepairerStage } from './repairer-stage.ts';

// These live in @tane/prompt-kit; re-exported so code that imports them from this plugin keeps working.
export {
  type LlmClientFactory,
  type LlmSettings,
  type PromptTemplate,
  parsePromptTemplate,
} from '@tane/prompt-kit';
export {
  buildRepairMessages,
  REPAIR_TEMPLATE_VARIABLES,
  type RepairFeedback,
  type RepairPromptInput,
} from './repair-prompt.ts';
export { type RepairReply, repairReplySchema } from './repair-reply.ts';
export { type RepairerConfig, repairerConfigSchema } from './repairer-config.ts';
export { createRepairerStage, type RepairMeta, repairsDone } from './repairer-stage.ts';

/**
 * The repairer plugin.
 *
 * @example
 * ```yaml
 * stages:
 *   repairer:
 *     plugin: "@tane/plugin-repairer@^0.1"
 *     config: { maxAttempts: 2 }
 *     routes: { repaired: judge, give_up: rejected }
 * ```
 */
export default definePlugin<RepairerConfig>({
  name: pkg.name,
  version: pkg.version,
  engineApi: ENGINE_API,
  summary:
    "Rewrites a candidate with the judge's reasons and sends it back to the judge, up to maxAttempts times",
  description:
    'Takes a candidate the judge routed to `repair`, asks an OpenAI-compatible model to rewrite its instruction, input ' +
    'and output so that every reason in meta.judge is resolved (same category, same language), and forwards the same ' +
    'record on `repaired` with meta.repairs incremented. A record already repaired maxAttempts times goes to `give_up` ' +
    'without a model call, with meta.outcome.reason "repair_limit". A candidate whose last verification failed ' +
    "(meta.verification from @tane/plugin-verifier) is repaired from the verifier's errors instead, judged or not; " +
    'send it back to the verifier.',
  examples: [
    { title: 'Defaults (two repairs per example)', config: {} },
    { title: 'One repair, then give up', config: { maxAttempts: 1 } },
    {
      title: 'A stronger model for repairs',
      config: {
        llm: { model: 'mistralai/Mixtral-8x22B-Instruct-v0.1', maxConcurrency: 8 },
        params: { temperature: 0.2 },
      },
    },
  ],
  configSchema: repairerConfigSchema,
  routes: [
    {
      name: 'repaired',
      description:
        'the rewritten record, meta.repairs incremented (send it back to the judge, or to the verifier when one runs before the judge)',
    },
    {
      name: 'give_up',
      description:
        'already repaired maxAttempts times: meta.outcome = {status: "rejected", reason: "repair_limit", detail: last judge reasons} (send it to `rejected`)',
    },
  ],
  accepts: ['candidate'],
  emits: ['candidate'],
  create: (config, ctx) => createRepairerStage(config, ctx, getLlmClient),
});
