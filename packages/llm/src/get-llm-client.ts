import type { LlmClient } from './llm-client.ts';
import { type LlmEndpointConfig, resolveLlmConfig } from './llm-endpoint-config.ts';
import { OpenAiLlmClient } from './openai-llm-client.ts';

const clients = new Map<string, OpenAiLlmClient>();

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
  clients.set(key, client);
  return client;
}

/** Closes every client of this process (aborting calls in flight) and the cache files. */
export async function closeAllLlmClients(): Promise<void> {
  await Promise.all([...clients.values()].map((c) => c.close()));
  clients.clear();
}
