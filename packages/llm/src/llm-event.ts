/**
 * One thing that happened on an endpoint, for metrics and traces. Never holds
 * the API key, prompts or replies.
 */
export interface LlmEvent {
  type: 'request' | 'response' | 'retry' | 'throttled' | 'cache_hit';
  plugin: string;
  category: string | undefined;
  endpoint: string;
  model: string;
  /** 1 for the first HTTP attempt of a call. */
  attempt?: number;
  latencyMs?: number;
  /** HTTP status; absent for timeouts and connection errors. */
  status?: number;
  tokens?: { prompt: number; completion: number };
  /** For `retry`: how long the call waits before the next attempt. */
  delayMs?: number;
  /** For `throttled`: the Retry-After the server asked for. */
  retryAfterMs?: number;
  /** For `throttled`: the endpoint's concurrency limit after the decrease. */
  concurrencyLimit?: number;
  /** Short, redacted description of a failure. */
  error?: string;
}

export type LlmEventListener = (event: LlmEvent) => void;
