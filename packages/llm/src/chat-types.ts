import type { Logger } from '@tane/core';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatParams {
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  seed?: number;
  stop?: string[];
}

export interface ChatRequest {
  messages: ChatMessage[];
  params?: ChatParams;
  /** 'name@version' of the calling plugin, for accounting. */
  plugin: string;
  /** Category id, for accounting. */
  category?: string;
  /** Aborts waiting, backoff and the request in flight (`LLM_ABORTED`). */
  signal?: AbortSignal;
  /**
   * Where this call's retries, throttling and invalid replies are logged: the
   * calling stage's logger, so the lines name the stage that made the call.
   * Default: the endpoint config's logger.
   */
  logger?: Logger;
}

// biome-ignore lint/correctness/noUnusedVariables: T names the reply type at the call site, as in chatJson<T>.
export interface JsonChatRequest<T> extends ChatRequest {
  /** JSON Schema of the expected reply object. */
  schema: object;
  schemaName: string;
  /** Re-asks after invalid JSON or a schema failure before `LLM_INVALID_OUTPUT`. Default 2. */
  maxInvalidRetries?: number;
}

export interface ChatResult {
  content: string;
  model: string;
  usage: { promptTokens: number; completionTokens: number };
  /** Served from the response cache: no request was sent and no tokens were spent. */
  cached: boolean;
  /** HTTP attempts made for this call (0 when cached). */
  attempts: number;
  latencyMs: number;
  /** The server's `finish_reason` (`stop`, `length`, …); undefined for a cached reply or when the server gives none. */
  finishReason?: string;
}

export interface JsonChatResult<T> extends ChatResult {
  json: T;
}
