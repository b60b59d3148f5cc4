import { TaneError } from '@tane/core';
import { type LlmEndpointConfig, resolveLlmConfig } from './llm-endpoint-config.ts';

/** What {@link checkLlmEndpoint} found. */
export interface EndpointCheck {
  endpoint: string;
  model: string;
  /** How the endpoint was checked: its model list, or (without one) a one-token request. */
  via: 'models' | 'request';
  /** The endpoint is llm-sim, tane's simulator (its model list says so): its text is synthetic. */
  simulator: boolean;
  /** Set when the check could not decide (a 5xx): the run goes on and the client's retries take over. */
  warning?: string;
}

const CHECK_TIMEOUT_MS = 15_000;

/**
 * Checks, before a worker consumes anything, that an endpoint is reachable,
 * accepts the key and serves the model: `GET /models`, or a one-token chat
 * request when the server has no model list. A wrong setup throws
 * `LLM_CONFIG` (no URL, refused key), `LLM_UNREACHABLE` or
 * `LLM_MODEL_UNKNOWN`, naming the endpoint and the fix.
 *
 * @example
 * ```ts
 * await checkLlmEndpoint({ baseURL: 'http://127.0.0.1:8000/v1', model: 'mistralai/Mixtral-8x22B-Instruct-v0.1' });
 * ```
 */
export async function checkLlmEndpoint(config: LlmEndpointConfig = {}): Promise<EndpointCheck> {
  const resolved = resolveLlmConfig(config);
  const { endpoint, model } = resolved;
  const headers = { authorization: `Bearer ${resolved.apiKey}`, 'content-type': 'application/json' };
  const call = async (path: string, init: RequestInit = {}): Promise<Response> => {
    try {
      return await fetch(`${resolved.baseURL}${path}`, {
        ...init,
        headers,
        signal: AbortSignal.timeout(Math.min(CHECK_TIMEOUT_MS, resolved.timeoutMs)),
      });
    } catch (err) {
      const c = (err as { cause?: { code?: string; errors?: Array<{ code?: string }>; message?: string } })
        .cause;
      const cause = c?.code ?? c?.errors?.[0]?.code ?? c?.message ?? (err as Error).name;
      throw new TaneError('LLM_UNREACHABLE', `cannot reach the LLM endpoint ${endpoint} (${cause})`, {
        where: endpoint,
        hint: 'start the model server, or set OPENAI_BASE_URL (or llm.baseURL) to where it listens, e.g. http://127.0.0.1:8000/v1',
      });
    }
  };
  const refusedKey = (status: number) =>
    new TaneError('LLM_CONFIG', `the server refused the API key (HTTP ${status})`, {
      where: endpoint,
      hint: 'set OPENAI_API_KEY to a key this server accepts',
    });
  const unknownModel = (detail: string) =>
    new TaneError('LLM_MODEL_UNKNOWN', `the server does not serve model ${model}${detail}`, {
      where: endpoint,
      hint: 'set TANE_MODEL (or llm.model in the pipeline) to a model the server serves',
    });

  const listed = await call('/models');
  if (listed.status === 401 || listed.status === 403) throw refusedKey(listed.status);
  if (listed.ok) {
    const body = (await listed.json().catch(() => undefined)) as
      | { data?: Array<{ id?: unknown; owned_by?: unknown }> }
      | undefined;
    const simulator = (body?.data ?? []).some((m) => m.owned_by === 'llm-sim');
    const ids = (body?.data ?? []).map((m) => m.id).filter((id): id is string => typeof id === 'string');
    if (ids.length > 0) {
      if (!ids.includes(model)) {
        const shown = ids.slice(0, 8).join(', ') + (ids.length > 8 ? ', …' : '');
        throw unknownModel(`; it serves: ${shown}`);
      }
      return { endpoint, model, via: 'models', simulator };
    }
  }
  if (listed.status >= 500) {
    return {
      endpoint,
      model,
      via: 'models',
      simulator: false,
      warning: `GET /models answered HTTP ${listed.status}`,
    };
  }
  // No usable model list (404 or an empty list): one request with one token says as much.
  const probe = await call('/chat/completions', {
    method: 'POST',
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'ping' }], max_tokens: 1 }),
  });
  if (probe.status === 401 || probe.status === 403) throw refusedKey(probe.status);
  if (probe.ok) return { endpoint, model, via: 'request', simulator: false };
  const text = (await probe.text().catch(() => '')).slice(0, 300);
  if (probe.status === 404 || (probe.status === 400 && /model/i.test(text)))
    throw unknownModel(` (HTTP ${probe.status})`);
  return {
    endpoint,
    model,
    via: 'request',
    simulator: false,
    warning: `a test request answered HTTP ${probe.status}`,
  };
}
