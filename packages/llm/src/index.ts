/**
 * The OpenAI-compatible client every model-facing tane plugin uses: one shared
 * limiter per endpoint (concurrency with AIMD, requests and tokens per
 * minute), retries, a SQLite response cache, token budgets and validated
 * structured output.
 */
export type {
  ChatMessage,
  ChatParams,
  ChatRequest,
  ChatResult,
  JsonChatRequest,
  JsonChatResult,
} from './chat-types.ts';
export { checkLlmEndpoint, type EndpointCheck } from './check-llm-endpoint.ts';
export { closeAllLlmClients, getLlmClient, llmClients, onLlmEvents } from './get-llm-client.ts';
export { type JsonReadResult, readJsonReply } from './json-reply.ts';
export type { LlmClient } from './llm-client.ts';
export {
  DEFAULT_CACHE_PATH,
  DEFAULT_MAX_CONCURRENCY,
  DEFAULT_MODEL,
  type LlmEndpointConfig,
  type ResolvedLlmConfig,
  resolveLlmConfig,
  safeEndpoint,
} from './llm-endpoint-config.ts';
export type { LlmEvent, LlmEventListener } from './llm-event.ts';
export { clearLlmCache } from './response-cache.ts';
export { NO_CATEGORY, type UsageCounters, type UsageReport } from './usage-ledger.ts';
