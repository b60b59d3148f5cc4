import type { ChatRequest, JsonChatRequest, LlmClient, LlmEndpointConfig } from '@tane/llm';
import type { LlmClientFactory } from '../llm-clients.ts';

/** One `chatJson` call a fake client received, with the config its client was made with. */
export interface FakeLlmCall {
  config: LlmEndpointConfig;
  req: JsonChatRequest<unknown>;
}

/** What {@link fakeLlmClients} hands a test. */
export interface FakeLlmClients {
  /** Give this to `create*Stage(config, setup, factory)` in place of `getLlmClient`. */
  factory: LlmClientFactory;
  /** Every `chatJson` call, in order. */
  calls: FakeLlmCall[];
  /** Every plain `chat` call (the generator's fallback request), in order. */
  plainCalls: ChatRequest[];
}

/** Options of {@link fakeLlmClients}. */
export interface FakeLlmClientsOptions {
  /** The model a client reports when its config names none (default `default-model`). */
  defaultModel?: string;
  /** The text of every plain `chat` reply; without it a `chat` call fails. */
  plain?: () => string;
}

/**
 * A client factory for unit tests of a model-facing stage: every `chatJson`
 * call is answered by `answer` (its return value is the reply's JSON; throw
 * to make the call fail, e.g. with `LLM_INVALID_OUTPUT`) and recorded with the
 * endpoint config the stage built, so a test can check the prompt, the
 * params and the model a category chose. Nothing leaves the process.
 *
 * @example
 * ```ts
 * const { factory, calls } = fakeLlmClients(() => ({ score: 4, verdict: 'accept', reasons: [], criteria: {} }));
 * const h = await testPlugin(withLlmClientFactory(judge, createJudgeStage, factory));
 * await h.run([candidate]);
 * calls[0]!.req.messages[0]!.content; // 'tane-task: judge\n…'
 * ```
 */
export function fakeLlmClients(
  answer: (req: JsonChatRequest<unknown>, model: string) => unknown,
  options: FakeLlmClientsOptions = {},
): FakeLlmClients {
  const calls: FakeLlmCall[] = [];
  const plainCalls: ChatRequest[] = [];
  const { plain, defaultModel = 'default-model' } = options;
  const result = (content: string, model: string) => ({
    content,
    model,
    usage: { promptTokens: 1, completionTokens: 1 },
    cached: false,
    attempts: 1,
    latencyMs: 1,
  });
  const factory = (config: LlmEndpointConfig): LlmClient => {
    const model = config.model ?? defaultModel;
    const endpoint = 'http://fake/v1';
    return {
      model,
      endpoint,
      maxConcurrency: config.maxConcurrency ?? 64,
      async chat(req) {
        plainCalls.push(req);
        if (!plain) throw new Error('fakeLlmClients: a plain chat call, but no `plain` reply was given');
        return result(plain(), model);
      },
      async chatJson<T>(req: JsonChatRequest<T>) {
        calls.push({ config, req });
        const json = answer(req, model) as T;
        return { ...result(JSON.stringify(json), model), json };
      },
      usage() {
        // Stages never read usage; the CLI does, from real clients.
        throw new Error('fakeLlmClients: usage() is not faked');
      },
      onEvent: () => () => {},
      describe: () => `${model} @ ${endpoint}`,
      async close() {},
    };
  };
  return { factory, calls, plainCalls };
}
