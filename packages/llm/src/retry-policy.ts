import { redactSecrets, TaneError } from '@tane/core';
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { abortedError } from './endpoint-limiter.ts';
import type { ResolvedLlmConfig } from './llm-endpoint-config.ts';

/** How one failed HTTP attempt is handled. */
export type AttemptFailure =
  | { kind: 'aborted'; message: string }
  | { kind: 'throttled'; status: number; retryAfterMs: number | undefined; message: string }
  | { kind: 'retryable'; status: number | undefined; message: string }
  | { kind: 'format-unsupported'; status: number; message: string }
  | { kind: 'auth'; status: number; message: string }
  | { kind: 'rejected'; status: number; message: string };

const MAX_RETRY_AFTER_MS = 10 * 60_000;
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** Reads `retry-after-ms` or `Retry-After` (seconds or an HTTP date). */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && Number.isFinite(Number(ms)) && Number(ms) >= 0)
    return Math.min(Number(ms), MAX_RETRY_AFTER_MS);
  const raw = headers.get('retry-after');
  if (raw === null) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, MAX_RETRY_AFTER_MS);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.min(Math.max(0, date - now), MAX_RETRY_AFTER_MS);
}

/**
 * Jittered exponential backoff: attempt n waits a random time between half and
 * all of `base * 2^(n-1)`, capped, so synchronized clients spread out.
 */
export function backoffDelay(
  retry: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, retry - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

function causeCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

const FORMAT_HINT = /response_format|json_schema|json_object|guided|structured output/i;

/**
 * Classifies a failed attempt. `scrub` removes the key from any text taken
 * from the error; nothing else of the SDK error (headers, request) is kept.
 */
export function classifyFailure(
  err: unknown,
  scrub: (text: string) => string,
  timeoutMs: number,
): AttemptFailure {
  const text = (s: string) => redactSecrets(scrub(s)).slice(0, 500);
  if (err instanceof APIUserAbortError) return { kind: 'aborted', message: 'aborted' };
  if (err instanceof APIConnectionTimeoutError) {
    return { kind: 'retryable', status: undefined, message: `request timed out after ${timeoutMs} ms` };
  }
  if (err instanceof APIConnectionError) {
    const code = causeCode(err);
    return { kind: 'retryable', status: undefined, message: `connection error${code ? ` (${code})` : ''}` };
  }
  if (err instanceof APIError && typeof err.status === 'number') {
    const status = err.status;
    const message = text(err.message);
    if (status === 429 || status === 503) {
      return { kind: 'throttled', status, retryAfterMs: retryAfterMs(err.headers), message };
    }
    if (status === 408 || status === 409 || status === 425 || status >= 500)
      return { kind: 'retryable', status, message };
    // Some servers (TGI) answer 422 instead of 400 for a request field they do not support.
    if ((status === 400 || status === 422) && FORMAT_HINT.test(err.message)) {
      return { kind: 'format-unsupported', status, message };
    }
    if (status === 401 || status === 403) return { kind: 'auth', status, message };
    return { kind: 'rejected', status, message };
  }
  // A reply cut mid-body surfaces as a JSON SyntaxError or undici's "terminated"; both are worth a retry.
  const code = causeCode(err);
  const name = err instanceof Error ? err.name : 'Error';
  const msg = err instanceof Error ? err.message : String(err);
  return { kind: 'retryable', status: undefined, message: text(`${code ?? name}: ${msg}`) };
}

/**
 * What a call does after a failed attempt: give up with an error, wait and
 * try again (`retry` counts toward maxRetries, `throttled` is timed against
 * the throttle budget instead), or try again at once without the
 * response_format the server does not support (`step-down`).
 */
export type NextStep =
  | { step: 'fail'; error: TaneError }
  | { step: 'retry'; delayMs: number }
  | { step: 'throttled'; delayMs: number }
  | { step: 'step-down' };

/** What {@link nextStep} reads besides the failure. */
export interface FailureContext {
  endpoint: string;
  model: string;
  /** The endpoint and who called, for `where`. */
  where: string;
  /** Attempts counted toward maxRetries so far, this one included. */
  attempt: number;
  /** Whether the request asked for a response_format (a JSON reply) in a mode other than none. */
  structured: boolean;
  /** Requests sent, throttled replies and time spent throttled so far in this call. */
  tally: { sent: number; throttles: number; throttledMs: number };
  config: Pick<ResolvedLlmConfig, 'maxRetries' | 'retryBaseDelayMs' | 'retryMaxDelayMs' | 'throttleBudgetMs'>;
  signal: AbortSignal;
}

/**
 * Decides what follows a failed attempt, without side effects: the client
 * records, logs and waits. Errors carry a code, the place and the next step.
 *
 * @example
 * ```ts
 * const next = nextStep(classifyFailure(err, scrub, timeoutMs), context);
 * if (next.step === 'fail') throw next.error;
 * ```
 */
export function nextStep(
  failure: AttemptFailure,
  c: FailureContext,
  random: () => number = Math.random,
): NextStep {
  const { where, config } = c;
  switch (failure.kind) {
    case 'aborted':
      return { step: 'fail', error: abortedError(c.endpoint, c.signal) };
    case 'auth':
      return {
        step: 'fail',
        error: new TaneError(
          'LLM_CONFIG',
          `the server refused the API key (HTTP ${failure.status}): ${failure.message}`,
          {
            where,
            hint: 'set OPENAI_API_KEY (or apiKey in the endpoint config) to a key this server accepts',
          },
        ),
      };
    case 'rejected':
      return {
        step: 'fail',
        error: new TaneError(
          'LLM_REQUEST_REJECTED',
          `the server rejected the request (HTTP ${failure.status}): ${failure.message}`,
          {
            where,
            hint:
              failure.status === 404
                ? `check baseURL and that the server serves model ${c.model}`
                : 'check the prompt size and the parameters (max_tokens, stop) against the server limits',
          },
        ),
      };
    case 'format-unsupported':
      if (c.structured) return { step: 'step-down' };
      return {
        step: 'fail',
        error: new TaneError(
          'LLM_REQUEST_REJECTED',
          `the server rejected the request (HTTP ${failure.status}): ${failure.message}`,
          { where, hint: 'check the request parameters against the server' },
        ),
      };
    case 'throttled': {
      const budget = config.throttleBudgetMs;
      const wait = Math.max(
        failure.retryAfterMs ?? 0,
        backoffDelay(c.tally.throttles, config.retryBaseDelayMs, config.retryMaxDelayMs, random),
      );
      if (c.tally.throttledMs + wait <= budget) return { step: 'throttled', delayMs: wait };
      return {
        step: 'fail',
        error: new TaneError(
          'LLM_THROTTLED',
          `the server kept throttling this call (HTTP ${failure.status}) for ${Math.round(c.tally.throttledMs / 1000)} s, ${c.tally.throttles} times; the throttle budget is ${Math.round(budget / 1000)} s: ${failure.message}`,
          {
            where,
            hint: 'lower maxConcurrency or requestsPerMinute for this endpoint, or raise throttleBudgetMs (and the stage timeoutMs above it)',
            retryable: true,
            attempts: c.tally.sent,
          },
        ),
      };
    }
    case 'retryable': {
      if (c.attempt <= config.maxRetries) {
        return {
          step: 'retry',
          delayMs: backoffDelay(c.attempt, config.retryBaseDelayMs, config.retryMaxDelayMs, random),
        };
      }
      const status = failure.status !== undefined ? `HTTP ${failure.status}: ` : '';
      return {
        step: 'fail',
        error: new TaneError(
          'LLM_RETRIES_EXHAUSTED',
          `gave up after ${c.attempt} attempts; last error: ${status}${failure.message}`,
          {
            where,
            hint: 'check that the server is up and not overloaded; raise maxRetries or timeoutMs if it is just slow',
            retryable: true,
            attempts: c.tally.sent,
          },
        ),
      };
    }
  }
}
