import { resolve } from 'node:path';
import { type Logger, registerSecret, silentLogger, TaneError } from '@tane/core';

/** Where and how to reach one OpenAI-compatible endpoint. Every field is optional; see the README for defaults. */
export interface LlmEndpointConfig {
  /** Default `process.env.OPENAI_BASE_URL`; required in the end. */
  baseURL?: string;
  /** Default `process.env.OPENAI_API_KEY`, else 'sk-no-key' (vLLM needs none). Never logged. */
  apiKey?: string;
  /** Default `process.env.TANE_MODEL ?? 'mistralai/Mixtral-8x22B-Instruct-v0.1'`. */
  model?: string;
  /** Max requests in flight to this endpoint from the whole process. Default {@link DEFAULT_MAX_CONCURRENCY}. */
  maxConcurrency?: number;
  requestsPerMinute?: number;
  tokensPerMinute?: number;
  /** Per HTTP request. Default 120000. */
  timeoutMs?: number;
  /** Retries after the first attempt (5xx, timeouts, connection resets; not 429/503). Default 6. */
  maxRetries?: number;
  /**
   * How long one call may keep being throttled (429/503) before it fails with
   * `LLM_THROTTLED`. Throttling is not failure: it never counts against
   * `maxRetries`. Default 300000 (5 min); keep it below the stage's timeoutMs.
   */
  throttleBudgetMs?: number;
  /** SQLite response cache. Default '.tane/llm-cache.db' relative to the working directory; false = off. */
  cachePath?: string | false;
  /** Total tokens this endpoint may spend in this process; when spent, no new call starts. */
  tokenBudget?: number;
  /** How chatJson asks for JSON. Default 'json_schema'; steps down on a 400 that names response_format. */
  structuredOutput?: 'json_schema' | 'json_object' | 'none';
  /** First retry delay before jitter; doubles per attempt. Default 500. */
  retryBaseDelayMs?: number;
  /** Upper bound of one retry delay. Default 30000. */
  retryMaxDelayMs?: number;
  /** Where retries, throttling and fallbacks are logged (never with the key). Default: silent. */
  logger?: Logger;
}

/** A config with every default applied and checked. */
export interface ResolvedLlmConfig {
  baseURL: string;
  endpoint: string;
  apiKey: string;
  model: string;
  maxConcurrency: number;
  requestsPerMinute: number | undefined;
  tokensPerMinute: number | undefined;
  timeoutMs: number;
  maxRetries: number;
  throttleBudgetMs: number;
  cachePath: string | false;
  tokenBudget: number | undefined;
  structuredOutput: 'json_schema' | 'json_object' | 'none';
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  logger: Logger;
}

export const DEFAULT_MODEL = 'mistralai/Mixtral-8x22B-Instruct-v0.1';
export const DEFAULT_CACHE_PATH = '.tane/llm-cache.db';
/**
 * Requests one worker keeps in flight to one endpoint unless `llm.maxConcurrency` says otherwise.
 * vLLM batches continuously: every request in flight joins the running batch, up to the server's
 * `--max-num-seqs` (256 by default), and throughput grows with the batch until the KV cache is
 * full. 64 keeps a Mixtral-8x22B server's batch full with a few workers (4 × 64 = 256) without
 * queueing so much on the server that requests wait out their timeout; docs/operations.md.
 */
export const DEFAULT_MAX_CONCURRENCY = 64;
const NO_KEY = 'sk-no-key';

/**
 * The base URL as it may be shown anywhere: scheme, host, port and path only
 * (no user, password, query or fragment).
 */
export function safeEndpoint(baseURL: string): string {
  try {
    const u = new URL(baseURL);
    return `${u.protocol}//${u.host}${u.pathname}`.replace(/\/+$/, '');
  } catch {
    return '(invalid URL)';
  }
}

function positiveInt(
  name: string,
  value: number | undefined,
  fallback: number | undefined,
  min = 1,
): number | undefined {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < min || Math.floor(value) !== value) {
    throw new TaneError('LLM_CONFIG', `${name} must be an integer >= ${min} (got ${value})`, {
      where: `llm endpoint config: ${name}`,
      hint: `set ${name} to a whole number of at least ${min}, or leave it out for the default`,
    });
  }
  return value;
}

/** Applies env defaults and checks every field; throws `LLM_CONFIG` with the next step. */
export function resolveLlmConfig(
  config: LlmEndpointConfig = {},
  env: NodeJS.ProcessEnv = process.env,
): ResolvedLlmConfig {
  const rawUrl = config.baseURL ?? env.OPENAI_BASE_URL;
  if (!rawUrl) {
    throw new TaneError('LLM_CONFIG', 'no LLM endpoint configured', {
      where: 'llm endpoint config: baseURL',
      hint: 'set OPENAI_BASE_URL (e.g. http://127.0.0.1:8000/v1 for vLLM) or `baseURL` in the endpoint config',
    });
  }
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new TaneError('LLM_CONFIG', `baseURL is not a valid URL: ${safeEndpoint(rawUrl)}`, {
      where: 'llm endpoint config: baseURL',
      hint: 'give the full URL of the OpenAI-compatible API, e.g. http://127.0.0.1:8000/v1',
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TaneError('LLM_CONFIG', `baseURL must use http or https (got ${url.protocol})`, {
      where: 'llm endpoint config: baseURL',
      hint: 'give the full URL of the OpenAI-compatible API, e.g. http://127.0.0.1:8000/v1',
    });
  }
  if (url.username || url.password) {
    registerSecret(decodeURIComponent(url.password));
    throw new TaneError('LLM_CONFIG', `baseURL must not contain credentials (${safeEndpoint(rawUrl)})`, {
      where: 'llm endpoint config: baseURL',
      hint: 'remove user:password@ from the URL and pass the key as apiKey or OPENAI_API_KEY',
    });
  }
  const apiKey = config.apiKey ?? env.OPENAI_API_KEY ?? NO_KEY;
  if (apiKey !== NO_KEY) registerSecret(apiKey);
  const structuredOutput = config.structuredOutput ?? 'json_schema';
  if (!['json_schema', 'json_object', 'none'].includes(structuredOutput)) {
    throw new TaneError(
      'LLM_CONFIG',
      `structuredOutput must be json_schema, json_object or none (got ${structuredOutput})`,
      {
        where: 'llm endpoint config: structuredOutput',
        hint: 'use json_schema for vLLM and OpenAI, json_object or none for servers without guided decoding',
      },
    );
  }
  const cachePath = config.cachePath === false ? false : resolve(config.cachePath ?? DEFAULT_CACHE_PATH);
  return {
    baseURL: url.toString().replace(/\/+$/, ''),
    endpoint: safeEndpoint(rawUrl),
    apiKey,
    model: config.model ?? env.TANE_MODEL ?? DEFAULT_MODEL,
    maxConcurrency: positiveInt('maxConcurrency', config.maxConcurrency, DEFAULT_MAX_CONCURRENCY)!,
    requestsPerMinute: positiveInt('requestsPerMinute', config.requestsPerMinute, undefined),
    tokensPerMinute: positiveInt('tokensPerMinute', config.tokensPerMinute, undefined),
    timeoutMs: positiveInt('timeoutMs', config.timeoutMs, 120_000)!,
    maxRetries: positiveInt('maxRetries', config.maxRetries, 6, 0)!,
    throttleBudgetMs: positiveInt('throttleBudgetMs', config.throttleBudgetMs, 300_000, 0)!,
    cachePath,
    tokenBudget: positiveInt('tokenBudget', config.tokenBudget, undefined, 0),
    structuredOutput,
    retryBaseDelayMs: positiveInt('retryBaseDelayMs', config.retryBaseDelayMs, 500, 0)!,
    retryMaxDelayMs: positiveInt('retryMaxDelayMs', config.retryMaxDelayMs, 30_000, 0)!,
    logger: config.logger ?? silentLogger,
  };
}
