/**
 * Self-Instruct generator for any OpenAI-compatible model (Mixtral-8x22B on
 * vLLM by default): one chat request per task, one candidate per example.
 */
import { definePlugin, ENGINE_API } from '@tane/core';
import { getLlmClient } from '@tane/llm';
import pkg from '../package.json' with { type: 'json' };
import { type GeneratorConfig, generatorConfigSchema } from './generator-config.ts';
import { createGeneratorStage } from './generator-stage.ts';

// These live in @tane/prompt-kit; re-exported so code that imports them from this plugin keeps working.
export {
  type CategoryPromptSettings,
  type LlmClientFactory,
  type LlmSettings,
  loadPromptTemplate,
  type PromptLang,
  type PromptMessage,
  type PromptTask,
  type PromptTemplate,
  parsePromptTemplate,
  promptLang,
  promptMarkers,
  readCategorySettings,
  withJsonPayload,
} from '@tane/prompt-kit';
export {
  candidateFilter,
  compileBlocklist,
  type FilterConfig,
  type FilterContext,
  type FilterFailure,
  type FilterName,
} from './filters.ts';
export {
  buildGenerateMessages,
  GENERATE_TEMPLATE_VARIABLES,
  type GeneratePromptInput,
} from './generate-prompt.ts';
export {
  type GenerateReply,
  generateReplySchema,
  parseGenerateReply,
  type ReplyFormat,
  salvageTruncatedJson,
} from './generate-reply.ts';
export {
  DEFAULT_BLOCKLIST,
  DEFAULT_BLOCKLIST_EXCEPTIONS,
  DEFAULT_FOREIGN_OUTPUT_WORDS,
  type FilterOverride,
  filtersFor,
  type GenerationParams,
  type GeneratorConfig,
  generatorConfigSchema,
  MAX_K,
} from './generator-config.ts';
export { createGeneratorStage, type FewShotExample, type GenerationMeta } from './generator-stage.ts';
export { parseNumberedList } from './numbered-list.ts';

/**
 * The generator plugin.
 *
 * @example
 * ```yaml
 * stages:
 *   generator:
 *     plugin: "@tane/plugin-mixtral-generator@^0.1"
 *     config:
 *       k: 8
 *       llm: { baseURL: http://vllm:8000/v1, maxConcurrency: 32 }
 *       params: { temperature: 0.9, top_p: 0.95 }
 *     routes: { candidate: generated, filtered: rejected }
 * ```
 */
export default definePlugin<GeneratorConfig>({
  name: pkg.name,
  version: pkg.version,
  engineApi: ENGINE_API,
  summary: 'Writes k new examples per task from few-shot examples (Self-Instruct), then filters them',
  description:
    'Builds a Self-Instruct prompt from the few-shot examples of a task (data.fewShot) and the category settings ' +
    '(meta.category), asks an OpenAI-compatible model for k new {instruction, input, output} examples as JSON ' +
    '(falling back to a numbered list when the reply is not JSON), and emits one candidate per example. ' +
    "Self-Instruct's filters, adapted to Japanese (lengths in characters, a Japanese blocklist, a language check, " +
    'copies of a few-shot example), send failing examples to `filtered` with meta.outcome.reason "filter".',
  examples: [
    {
      title: 'Defaults (Mixtral on vLLM from OPENAI_BASE_URL)',
      config: {},
    },
    {
      title: 'Local vLLM, more diverse, stricter lengths',
      summary: 'k from the task, or 10; Japanese instructions of 15–300 characters',
      config: {
        k: 10,
        llm: { baseURL: 'http://127.0.0.1:8000/v1', maxConcurrency: 32, timeoutMs: 180000 },
        params: { temperature: 1.0, top_p: 0.95, max_tokens: 6000 },
        filters: { instruction: { minChars: 15, maxChars: 300 } },
      },
    },
    {
      title: 'Own prompt templates',
      config: { templates: { ja: 'prompts/generate.ja.md', en: 'prompts/generate.en.md' } },
    },
  ],
  configSchema: generatorConfigSchema,
  routes: [
    {
      name: 'candidate',
      description: 'an example that passed the filters (send it to the `generated` topic)',
    },
    {
      name: 'filtered',
      description:
        'an example a filter rejected, with meta.outcome = {status: "rejected", reason: "filter", detail: <filter>} (send it to `rejected`)',
    },
  ],
  accepts: ['task'],
  emits: ['candidate'],
  create: (config, ctx) => createGeneratorStage(config, ctx, getLlmClient),
});
