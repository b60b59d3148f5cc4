import { isAbsolute, join, resolve } from 'node:path';
import type { ConfigFromSchema, ConfigSchema } from '@tane/core';

/**
 * JSON Schema of {@link LlmSettings}, for the `llm` property of a stage's
 * config schema; `additionalProperties: false` keeps API keys out of pipeline
 * files.
 *
 * @example
 * ```ts
 * export const myConfigSchema = {
 *   type: 'object',
 *   additionalProperties: false,
 *   properties: { llm: llmSettingsSchema, templates: templatesConfigSchema },
 * } as const;
 * ```
 */
export const llmSettingsSchema = {
  type: 'object',
  default: {},
  additionalProperties: false,
  description:
    'OpenAI-compatible endpoint. The API key is never set here: it is read from the OPENAI_API_KEY environment variable.',
  properties: {
    baseURL: {
      type: 'string',
      minLength: 1,
      description: 'Base URL, e.g. http://vllm:8000/v1 (default: OPENAI_BASE_URL)',
    },
    model: {
      type: 'string',
      minLength: 1,
      description: 'Model name (default: TANE_MODEL, else Mixtral-8x22B-Instruct)',
    },
    maxConcurrency: {
      type: 'integer',
      minimum: 1,
      description:
        'Requests in flight to this endpoint from this worker, shared by every stage using it (default 64: a vLLM server batches up to --max-num-seqs, 256 by default, so about 4 workers fill it)',
    },
    requestsPerMinute: { type: 'integer', minimum: 1 },
    tokensPerMinute: { type: 'integer', minimum: 1 },
    timeoutMs: { type: 'integer', minimum: 1, description: 'Per request' },
    maxRetries: {
      type: 'integer',
      minimum: 0,
      description: 'Retries on 5xx, timeouts and dropped connections (429/503 do not count)',
    },
    throttleBudgetMs: {
      type: 'integer',
      minimum: 0,
      description:
        'How long one call may wait out 429/503 before LLM_THROTTLED (default 300000; keep below timeoutMs)',
    },
    cachePath: {
      anyOf: [{ type: 'string', minLength: 1 }, { const: false }],
      description:
        'Response cache file relative to the pipeline folder, or false (default: <dataDir>/llm-cache.db)',
    },
    tokenBudget: { type: 'integer', minimum: 1, description: 'Total tokens for this endpoint in this run' },
    structuredOutput: { enum: ['json_schema', 'json_object', 'none'] },
  },
} as const satisfies ConfigSchema;

/**
 * The `llm` block of a model-facing stage's config, derived from {@link llmSettingsSchema}: where
 * the model is and how hard to use it. Every field means what it means in `LlmEndpointConfig` of
 * `@tane/llm`, except that `cachePath` is relative to the pipeline folder and defaults to the
 * pipeline's data folder. There is no API key: that comes from `OPENAI_API_KEY`.
 */
export type LlmSettings = ConfigFromSchema<typeof llmSettingsSchema>;
// It stays assignable to `LlmEndpointConfig` (checked where StageLlmClients hands it to the factory).

/**
 * The endpoint config handed to `getLlmClient`: paths resolved against the
 * pipeline folder, the cache kept in the pipeline's data folder by default.
 *
 * @example
 * ```ts
 * endpointConfig({ cachePath: 'cache/llm.db' }, { baseDir: '/p', dataDir: '/p/.tane' }, 'qwen');
 * // { cachePath: '/p/cache/llm.db', model: 'qwen' }
 * ```
 */
export function endpointConfig(
  settings: LlmSettings,
  dirs: { baseDir: string; dataDir: string },
  model?: string,
): LlmSettings {
  const out: LlmSettings = { ...settings };
  if (out.cachePath === undefined) out.cachePath = join(dirs.dataDir, 'llm-cache.db');
  else if (typeof out.cachePath === 'string' && !isAbsolute(out.cachePath)) {
    out.cachePath = resolve(dirs.baseDir, out.cachePath);
  }
  if (model) out.model = model;
  return out;
}
