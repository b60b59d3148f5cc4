import { isAbsolute, join, resolve } from 'node:path';

/** The `llm` block of the config: where the model is and how hard to use it (no API key: that comes from OPENAI_API_KEY). */
export interface LlmSettings {
  /** OpenAI-compatible base URL, e.g. `http://vllm:8000/v1` (default: OPENAI_BASE_URL). */
  baseURL?: string;
  /** Model name (default: TANE_MODEL, else Mixtral-8x22B-Instruct). */
  model?: string;
  /** Requests in flight to this endpoint from the whole process. */
  maxConcurrency?: number;
  requestsPerMinute?: number;
  tokensPerMinute?: number;
  /** Per request. */
  timeoutMs?: number;
  /** On 429, 5xx, timeouts and dropped connections. */
  maxRetries?: number;
  /** Response cache (SQLite), relative to the pipeline folder; `false` turns it off. Default: `<dataDir>/llm-cache.db`. */
  cachePath?: string | false;
  /** Total tokens this endpoint may spend in this process run. */
  tokenBudget?: number;
  structuredOutput?: 'json_schema' | 'json_object' | 'none';
}

/** JSON Schema of {@link LlmSettings}; `additionalProperties: false` keeps API keys out of pipeline files. */
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
      description: 'Requests in flight to this endpoint (whole process)',
    },
    requestsPerMinute: { type: 'integer', minimum: 1 },
    tokensPerMinute: { type: 'integer', minimum: 1 },
    timeoutMs: { type: 'integer', minimum: 1, description: 'Per request' },
    maxRetries: {
      type: 'integer',
      minimum: 0,
      description: 'Retries on 429, 5xx, timeouts and dropped connections',
    },
    cachePath: {
      anyOf: [{ type: 'string', minLength: 1 }, { const: false }],
      description:
        'Response cache file relative to the pipeline folder, or false (default: <dataDir>/llm-cache.db)',
    },
    tokenBudget: { type: 'integer', minimum: 1, description: 'Total tokens for this endpoint in this run' },
    structuredOutput: { enum: ['json_schema', 'json_object', 'none'] },
  },
} as const;

/**
 * The endpoint config handed to `getLlmClient`: paths resolved against the
 * pipeline folder, the cache kept in the pipeline's data folder by default.
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
