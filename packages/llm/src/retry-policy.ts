import { redactSecrets } from '@tane/core';
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';

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
