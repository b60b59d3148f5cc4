import type { ChatRequest, ChatResult, JsonChatRequest, JsonChatResult } from './chat-types.ts';
import type { LlmEventListener } from './llm-event.ts';
import type { UsageReport } from './usage-ledger.ts';

/** The client every model-facing plugin uses; one per (baseURL, model) per process. */
export interface LlmClient {
  readonly model: string;
  /** Base URL with any credentials stripped. */
  readonly endpoint: string;
  /** Requests this process sends to the endpoint at once (`llm.maxConcurrency`). */
  readonly maxConcurrency: number;
  /** Plain chat completion. */
  chat(req: ChatRequest): Promise<ChatResult>;
  /** Chat completion whose reply must be a JSON object matching `req.schema` (validated with ajv). */
  chatJson<T>(req: JsonChatRequest<T>): Promise<JsonChatResult<T>>;
  /** Tokens, requests, cache hits, 429s and retries, per plugin and per category, plus totals. */
  usage(): UsageReport;
  /** Subscribes to request/response/retry/throttled/cache_hit events; returns the unsubscribe function. */
  onEvent(listener: LlmEventListener): () => void;
  /** `model @ endpoint`, safe to print. */
  describe(): string;
  close(): Promise<void>;
}
