/**
 * LLM-as-a-judge with a per-category rubric: scores every candidate 1–5 and
 * routes it to accept, repair or reject.
 */
import { definePlugin, ENGINE_API } from '@tane/core';
import { getLlmClient } from '@tane/llm';
import pkg from '../package.json' with { type: 'json' };
import { type JudgeConfig, judgeConfigSchema } from './judge-config.ts';
import { createJudgeStage } from './judge-stage.ts';

// These live in @tane/prompt-kit; re-exported so code that imports them from this plugin keeps working.
export {
  type LlmClientFactory,
  type LlmSettings,
  type PromptTemplate,
  parsePromptTemplate,
} from '@tane/prompt-kit';
export {
  DEFAULT_RUBRIC_EN,
  DEFAULT_RUBRIC_JA,
  type JudgeConfig,
  judgeConfigSchema,
  type Thresholds,
  type VerdictRule,
} from './judge-config.ts';
export {
  buildJudgeMessages,
  JUDGE_TEMPLATE_VARIABLES,
  type JudgePromptInput,
  rubricFor,
} from './judge-prompt.ts';
export { type JudgeReply, judgeReplySchema, type Verdict } from './judge-reply.ts';
export { createJudgeStage, type JudgeMeta } from './judge-stage.ts';
export { decideVerdict, verdictForScore } from './verdict.ts';

/**
 * The judge plugin.
 *
 * @example
 * ```yaml
 * stages:
 *   judge:
 *     plugin: "@tane/plugin-judge@^0.1"
 *     config:
 *       thresholds: { accept: 4, repair: 2 }
 *     routes: { accept: dedup, repair: repairer, reject: rejected }
 * ```
 */
export default definePlugin<JudgeConfig>({
  name: pkg.name,
  version: pkg.version,
  engineApi: ENGINE_API,
  summary:
    'Scores each candidate 1–5 against a per-category rubric and routes it to accept, repair or reject',
  description:
    'Asks an OpenAI-compatible model to judge a candidate {instruction, input, output} against a rubric ' +
    '(default criteria: clarity, correctness, helpfulness, format, language consistency, safety; a category can ' +
    'replace or extend them). The reply is JSON checked with a JSON Schema. The score and thresholds decide the ' +
    "route; with verdictRule 'stricter' the model's own verdict can only make it stricter. Sets meta.judge " +
    '(earlier ones move to meta.judgeHistory) and forwards the same record.',
  examples: [
    { title: 'Defaults (accept ≥ 4, repair ≥ 2)', config: {} },
    {
      title: 'Stricter judge on its own endpoint',
      summary: 'A different model judges than generates, which reduces self-preference',
      config: {
        thresholds: { accept: 5, repair: 3 },
        llm: { baseURL: 'http://judge-vllm:8000/v1', model: 'Qwen/Qwen2.5-72B-Instruct' },
      },
    },
    {
      title: 'Thresholds alone decide',
      config: { verdictRule: 'score' },
    },
  ],
  configSchema: judgeConfigSchema,
  routes: [
    { name: 'accept', description: 'score at or above thresholds.accept (send it to dedup)' },
    { name: 'repair', description: 'fixable: score at or above thresholds.repair (send it to the repairer)' },
    {
      name: 'reject',
      description:
        'not fixable, with meta.outcome = {status: "rejected", reason: "judge", detail: reasons} (send it to `rejected`)',
    },
  ],
  accepts: ['candidate'],
  emits: ['candidate'],
  create: (config, ctx) => createJudgeStage(config, ctx, getLlmClient),
});
