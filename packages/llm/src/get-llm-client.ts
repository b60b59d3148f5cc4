import type { LlmClient } from './llm-client.ts';
import { type LlmEndpointConfig, resolveLlmConfig } from './llm-endpoint-config.ts';
import type { LlmEvent, LlmEventListener } from './llm-event.ts';
import { OpenAiLlmClient } from './openai-llm-client.ts';

const clients = new Map<string, OpenAiLlmClient>();
const processListeners = new Set<LlmEventListener>();

/**
 * Listens to the events of every LLM client of this process, present and
 * future (for telemetry and usage reports). Returns the unsubscribe function.
 */
export function onLlmEvents(listener: LlmEventListener): () => void {
  processListeners.add(listener);
  return () => {
    processListeners.delete(listener);
  };
}

/** Every client of this process (e.g. to read usage at the end of a run). */
export function llmClients(): LlmClient[] {
  return [...clients.values()];
}

/**
 * One client (and one limiter) per (baseURL, model) per process: all plugins
 * share it. The first call for an endpoint decides its limits, cache and
 * budget; later calls with the same baseURL and model get the same client.
 *
 * @example
 * ```ts
 * const llm = getLlmClient({ baseURL: 'http://127.0.0.1:8000/v1', maxConcurrency: 32 });
 * const { json } = await llm.chatJson<{ score: number }>({
 *   plugin: '@tane/plugin-judge@0.1.0',
 *   category: 'email-reply',
 *   messages: [{ role: 'user', content: 'Rate this reply from 1 to 5 as {"score": n}: ...' }],
 *   schema: { type: 'object', required: ['score'], properties: { score: { type: 'integer' } } },
 *   schemaName: 'score',
 * });
 * ```
 */
export function getLlmClient(config: LlmEndpointConfig = {}): LlmClient {
  const resolved = resolveLlmConfig(config);
  const key = `${resolved.baseURL}\u0000${resolved.model}`;
  const existing = clients.get(key);
  if (existing) return existing;
  const client = new OpenAiLlmClient(resolved, () => {
    if (clients.get(key) === client) clients.delete(key);
  });
  client.onEvent((event: LlmEvent) => {
    for (const l of processListeners) l(event);
  });
  clients.set(key, client);
  return client;
}

/** Closes every client of this process (aborting calls in flight) and the cache files. */
export async function closeAllLlmClients(): Promise<void> {
  await Promise.all([...clients.values()].map((c) => c.close()));
  clients.clear();
}
