import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Logger, redactSecrets, TaneError } from '@tane/core';
import { Ajv, type ValidateFunction } from 'ajv';
import OpenAI from 'openai';
import type { ChatMessage, ChatRequest, ChatResult, JsonChatRequest, JsonChatResult } from './chat-types.ts';
import { abortedError, EndpointLimiter } from './endpoint-limiter.ts';
import { readJsonReply } from './json-reply.ts';
import { type LinkedAbort, linkedAbort } from './linked-abort.ts';
import type { LlmClient } from './llm-client.ts';
import type { ResolvedLlmConfig } from './llm-endpoint-config.ts';
import type { LlmEvent, LlmEventListener } from './llm-event.ts';
import { type NodeHttpFetch, nodeHttpFetch } from './node-http-fetch.ts';
import { type CachedResponse, ResponseCache, responseCacheKey } from './response-cache.ts';
import { type AttemptFailure, classifyFailure, nextStep } from './retry-policy.ts';
import { estimateTokens } from './token-estimate.ts';
import { UsageLedger, type UsageReport } from './usage-ledger.ts';

type StructuredMode = ResolvedLlmConfig['structuredOutput'];
type JsonFormat = { name: string; schema: object };

const DEFAULT_COMPLETION_ESTIMATE = 256;
const EXCERPT_CHARS = 200;

/** The OpenAI-SDK-backed client behind {@link getLlmClient}. */
export class OpenAiLlmClient implements LlmClient {
  readonly model: string;
  readonly endpoint: string;
  private readonly sdk: OpenAI;
  private readonly http: NodeHttpFetch;
  private readonly limiter: EndpointLimiter;
  private readonly ledger = new UsageLedger();
  private readonly cache: ResponseCache | undefined;
  private readonly listeners = new Set<LlmEventListener>();
  /** One controller per call in progress, so close() can abort them without a listener per call. */
  private readonly activeCalls = new Set<LinkedAbort>();
  private readonly ajv = new Ajv({ allErrors: true, strict: false });
  private readonly validators = new Map<string, ValidateFunction>();
  private structuredMode: StructuredMode;
  private closed = false;

  constructor(
    private readonly config: ResolvedLlmConfig,
    private readonly onClose: () => void = () => {},
  ) {
    this.model = config.model;
    this.endpoint = config.endpoint;
    this.structuredMode = config.structuredOutput;
    // Retries live in one place (here), so the SDK's own are off.
    this.http = nodeHttpFetch({ maxSockets: config.maxConcurrency });
    this.sdk = new OpenAI({
      fetch: this.http,
      apiKey: config.apiKey,
      baseURL: config.baseURL,
      maxRetries: 0,
      timeout: config.timeoutMs,
      logLevel: 'off',
      organization: null,
      project: null,
    });
    this.limiter = new EndpointLimiter({
      maxConcurrency: config.maxConcurrency,
      requestsPerMinute: config.requestsPerMinute,
      tokensPerMinute: config.tokensPerMinute,
      endpoint: config.endpoint,
    });
    this.cache = config.cachePath === false ? undefined : new ResponseCache(config.cachePath);
  }

  describe(): string {
    return `${this.model} @ ${this.endpoint}`;
  }

  get maxConcurrency(): number {
    return this.config.maxConcurrency;
  }

  onEvent(listener: LlmEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  usage(): UsageReport {
    const budget = this.config.tokenBudget;
    return {
      endpoint: this.endpoint,
      model: this.model,
      ...this.ledger.snapshot(),
      tokenBudget: budget,
      budgetRemaining:
        budget === undefined ? undefined : Math.max(0, budget - this.ledger.totals.totalTokens),
      concurrency: {
        max: this.config.maxConcurrency,
        current: this.limiter.concurrencyLimit,
        inFlight: this.limiter.active,
        waiting: this.limiter.waiting,
      },
    };
  }

  async chat(req: ChatRequest): Promise<ChatResult> {
    this.checkRequest(req);
    const started = performance.now();
    const key = this.cache
      ? responseCacheKey({ model: this.model, params: req.params, messages: req.messages, format: null })
      : '';
    const hit = this.cacheGet(key);
    if (hit) return this.fromCache(req, hit, started);
    const result = await this.complete(req, req.messages, undefined, started);
    this.cachePut(key, { model: result.model, content: result.content, ...result.usage });
    return result;
  }

  async chatJson<T>(req: JsonChatRequest<T>): Promise<JsonChatResult<T>> {
    this.checkRequest(req);
    const started = performance.now();
    const validate = this.validatorFor(req.schema, req.schemaName);
    const format: JsonFormat = { name: req.schemaName, schema: req.schema };
    const key = this.cache
      ? responseCacheKey({ model: this.model, params: req.params, messages: req.messages, format })
      : '';
    const hit = this.cacheGet(key);
    if (hit) {
      const read = readJsonReply(hit.content);
      if (read.ok && validate(read.value))
        return { ...this.fromCache(req, hit, started), json: read.value as T };
    }
    const maxInvalid = Math.max(0, Math.floor(req.maxInvalidRetries ?? 2));
    let messages: ChatMessage[] = [...req.messages];
    let attempts = 0;
    let promptTokens = 0;
    let completionTokens = 0;
    let reason = '';
    let lastContent = '';
    let sendReq: ChatRequest = req;
    let grown = false;
    for (let ask = 0; ask <= maxInvalid; ask++) {
      const r = await this.complete(sendReq, messages, format, started);
      attempts += r.attempts;
      promptTokens += r.usage.promptTokens;
      completionTokens += r.usage.completionTokens;
      lastContent = r.content;
      const read = readJsonReply(r.content);
      if (read.ok && validate(read.value)) {
        const usage = { promptTokens, completionTokens };
        if (read.repaired) {
          this.loggerFor(req).debug('llm reply was sloppy JSON; repaired it', {
            endpoint: this.endpoint,
            plugin: req.plugin,
            category: req.category,
          });
        }
        this.cachePut(key, { model: r.model, content: r.content, ...usage });
        return { ...r, usage, attempts, latencyMs: performance.now() - started, json: read.value as T };
      }
      if (r.finishReason === 'length') {
        // Cut off by max_tokens: asking again in the same room gives the same cut, so ask once with twice the room.
        const limit = sendReq.params?.max_tokens;
        if (grown) {
          this.ledger.add(req.plugin, req.category, { failures: 1, calls: -1 });
          throw new TaneError(
            'LLM_INVALID_OUTPUT',
            `the model's reply was cut off at max_tokens (${limit ?? 'the server default'}) twice, the second time with twice the room; no complete ${req.schemaName} came back`,
            {
              where: `${this.endpoint} (${req.plugin}${req.category ? `, category ${req.category}` : ''})`,
              hint: 'raise params.max_tokens of this stage, or ask for less per call (a smaller k)',
              attempts,
            },
          );
        }
        grown = true;
        const room = limit === undefined ? Math.max(1024, 2 * r.usage.completionTokens) : 2 * limit;
        sendReq = { ...sendReq, params: { ...sendReq.params, max_tokens: room } };
        this.ledger.add(req.plugin, req.category, { invalidOutputs: 1, calls: -1 });
        this.loggerFor(req).warn('llm reply cut off at max_tokens; asking once more with more room', {
          endpoint: this.endpoint,
          plugin: req.plugin,
          category: req.category,
          maxTokens: room,
        });
        ask--;
        continue;
      }
      reason = read.ok
        ? `schema ${req.schemaName}: ${this.ajv.errorsText(validate.errors, { separator: '; ' })}`
        : read.error;
      this.ledger.add(req.plugin, req.category, { invalidOutputs: 1, calls: -1 });
      this.loggerFor(req).warn('llm reply failed validation', {
        endpoint: this.endpoint,
        plugin: req.plugin,
        category: req.category,
        ask: ask + 1,
        reason: this.scrub(reason),
      });
      messages = [
        ...messages,
        { role: 'assistant', content: r.content },
        {
          role: 'user',
          content: `Your previous reply was not valid: ${reason}. Reply again with only one JSON object that matches the ${req.schemaName} schema, with no other text.`,
        },
      ];
    }
    this.ledger.add(req.plugin, req.category, { failures: 1 });
    const excerpt = this.scrub([...lastContent].slice(0, EXCERPT_CHARS).join(''));
    throw new TaneError(
      'LLM_INVALID_OUTPUT',
      `the model's reply is not a valid ${req.schemaName} after ${maxInvalid + 1} tries: ${this.scrub(reason)}. Reply excerpt: ${JSON.stringify(`${excerpt}${lastContent.length > EXCERPT_CHARS ? '…' : ''}`)}`,
      {
        where: `${this.endpoint} (${req.plugin}${req.category ? `, category ${req.category}` : ''})`,
        hint: 'check that the prompt asks for exactly this JSON shape, or raise maxInvalidRetries',
        attempts,
      },
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const call of this.activeCalls) call.abort(new Error('the LLM client was closed'));
    this.activeCalls.clear();
    this.limiter.close();
    this.cache?.close();
    this.http.close();
    this.listeners.clear();
    this.onClose();
  }

  private checkRequest(req: ChatRequest): void {
    if (this.closed) {
      throw new TaneError('LLM_ABORTED', 'the LLM client was closed', {
        where: this.endpoint,
        hint: 'get a new client with getLlmClient()',
      });
    }
    if (!Array.isArray(req.messages) || req.messages.length === 0) {
      throw new TaneError('LLM_CONFIG', 'a chat request needs at least one message', {
        where: `${this.endpoint} (${req.plugin})`,
        hint: 'pass messages: [{ role: "user", content: "..." }]',
      });
    }
  }

  private fromCache(req: ChatRequest, hit: CachedResponse, started: number): ChatResult {
    this.ledger.add(req.plugin, req.category, { calls: 1, cacheHits: 1 });
    this.emit({ type: 'cache_hit', plugin: req.plugin, category: req.category });
    return {
      content: hit.content,
      model: hit.model,
      usage: { promptTokens: hit.promptTokens, completionTokens: hit.completionTokens },
      cached: true,
      attempts: 0,
      latencyMs: performance.now() - started,
    };
  }

  // A cache that cannot be read or written (disk full, locked too long) costs money, not correctness.
  private cacheGet(key: string): CachedResponse | undefined {
    if (!this.cache) return undefined;
    try {
      return this.cache.get(key);
    } catch (err) {
      this.config.logger.warn('llm cache read failed; calling the model', {
        path: this.cache.path,
        error: this.scrub(String(err)),
      });
      return undefined;
    }
  }

  private cachePut(key: string, value: CachedResponse): void {
    if (!this.cache) return;
    try {
      this.cache.put(key, value);
    } catch (err) {
      this.config.logger.warn('llm cache write failed; the reply is not cached', {
        path: this.cache.path,
        error: this.scrub(String(err)),
      });
    }
  }

  private validatorFor(schema: object, name: string): ValidateFunction {
    const key = JSON.stringify(schema);
    let v = this.validators.get(key);
    if (!v) {
      try {
        v = this.ajv.compile(schema);
      } catch (err) {
        throw new TaneError(
          'LLM_CONFIG',
          `schema ${name} is not a valid JSON Schema: ${(err as Error).message}`,
          {
            where: this.endpoint,
            hint: 'fix the schema passed to chatJson',
            cause: err,
          },
        );
      }
      this.validators.set(key, v);
    }
    return v;
  }

  private checkBudget(req: ChatRequest): void {
    const budget = this.config.tokenBudget;
    const t = this.ledger.totals;
    if (budget === undefined || t.totalTokens < budget) return;
    this.ledger.add(req.plugin, req.category, { failures: 1 });
    throw new TaneError(
      'LLM_BUDGET_EXHAUSTED',
      `the token budget of ${budget} tokens for ${this.endpoint} is spent: ${t.totalTokens} tokens used (${t.promptTokens} prompt + ${t.completionTokens} completion); no new LLM call starts`,
      {
        where: this.endpoint,
        hint: 'raise tokenBudget in the endpoint config (or remove it) and run again; completed calls are cached and are not paid twice',
      },
    );
  }

  private responseFormat(mode: StructuredMode, format: JsonFormat | undefined) {
    if (!format || mode === 'none') return undefined;
    if (mode === 'json_object') return { type: 'json_object' as const };
    return {
      type: 'json_schema' as const,
      json_schema: { name: format.name, schema: format.schema as Record<string, unknown>, strict: false },
    };
  }

  /** One logical call: waits for the limiter, sends, retries. Never touches the cache. */
  private async complete(
    req: ChatRequest,
    messages: ChatMessage[],
    format: JsonFormat | undefined,
    started: number,
  ): Promise<ChatResult> {
    this.checkBudget(req);
    // One controller per call, aborted by the caller's signal or by close(): creating
    // AbortControllers and EventTarget listeners is a visible share of a call's CPU in Node.
    const call = linkedAbort(req.signal);
    this.activeCalls.add(call);
    try {
      return await this.attempts(req, messages, format, started, call.signal);
    } finally {
      call.dispose();
      this.activeCalls.delete(call);
    }
  }

  private async attempts(
    req: ChatRequest,
    messages: ChatMessage[],
    format: JsonFormat | undefined,
    started: number,
    signal: AbortSignal,
  ): Promise<ChatResult> {
    // Counting a prompt's characters costs tens of microseconds on a long prompt: only done when
    // a tokens-per-minute limit needs it, or a reply comes without usage.
    let estimated: number | undefined;
    const estimate = () =>
      (estimated ??=
        messages.reduce((n, m) => n + estimateTokens(m.content), 0) +
        (req.params?.max_tokens ?? DEFAULT_COMPLETION_ESTIMATE));
    // `attempt` counts toward maxRetries; `sent` counts every request; throttling is timed, not counted.
    let attempt = 0;
    let sent = 0;
    let throttles = 0;
    let throttledSince: number | undefined;
    for (;;) {
      attempt++;
      sent++;
      const mode = this.structuredMode;
      const permit = await this.limiter
        .acquire(this.limiter.countsTokens ? estimate() : 0, signal)
        .catch((err: unknown) => {
          this.ledger.add(req.plugin, req.category, { failures: 1 });
          throw err;
        });
      if (attempt === 1) {
        // The budget may have run out while this call waited for a slot; it has not started yet.
        try {
          this.checkBudget(req);
        } catch (err) {
          this.limiter.release(permit, { kind: 'failure' });
          throw err;
        }
      }
      this.ledger.add(req.plugin, req.category, { requests: 1 });
      this.emit({ type: 'request', plugin: req.plugin, category: req.category, attempt });
      const t0 = performance.now();
      let failure: AttemptFailure;
      // The SDK never removes its listener from the signal it gets: the first attempt gets the
      // call's own signal (which ends with the call), later ones a throwaway each, so a long
      // run of throttled retries does not pile listeners on one signal.
      const attemptAbort = sent === 1 ? undefined : linkedAbort(signal);
      try {
        const responseFormat = this.responseFormat(mode, format);
        const completion = await this.sdk.chat.completions.create(
          {
            model: this.model,
            messages,
            ...req.params,
            ...(responseFormat ? { response_format: responseFormat } : {}),
          },
          { signal: attemptAbort?.signal ?? signal, timeout: this.config.timeoutMs },
        );
        const choice = completion?.choices?.[0];
        if (!choice) throw new SyntaxError('the response has no choices');
        const content = choice.message?.content ?? '';
        const finishReason = typeof choice.finish_reason === 'string' ? choice.finish_reason : undefined;
        const promptTokens = completion.usage?.prompt_tokens ?? estimate() - DEFAULT_COMPLETION_ESTIMATE;
        const completionTokens = completion.usage?.completion_tokens ?? estimateTokens(content);
        const latencyMs = performance.now() - t0;
        this.limiter.release(permit, { kind: 'success', tokens: promptTokens + completionTokens });
        this.ledger.add(req.plugin, req.category, {
          calls: 1,
          promptTokens,
          completionTokens,
          totalTokens: promptTokens + completionTokens,
        });
        this.emit({
          type: 'response',
          plugin: req.plugin,
          category: req.category,
          attempt,
          status: 200,
          latencyMs,
          tokens: { prompt: promptTokens, completion: completionTokens },
        });
        return {
          content,
          model: completion.model || this.model,
          usage: { promptTokens, completionTokens },
          cached: false,
          attempts: sent,
          latencyMs: performance.now() - started,
          ...(finishReason ? { finishReason } : {}),
        };
      } catch (err) {
        failure = signal.aborted
          ? { kind: 'aborted', message: 'aborted' }
          : classifyFailure(err, (s) => this.scrub(s), this.config.timeoutMs);
        this.limiter.release(
          permit,
          failure.kind === 'throttled'
            ? { kind: 'throttled', retryAfterMs: failure.retryAfterMs }
            : { kind: 'failure' },
        );
        this.emit({
          type: 'response',
          plugin: req.plugin,
          category: req.category,
          attempt,
          latencyMs: performance.now() - t0,
          ...('status' in failure && failure.status !== undefined ? { status: failure.status } : {}),
          error: failure.message,
        });
      } finally {
        attemptAbort?.dispose();
      }
      if (failure.kind === 'throttled') {
        throttles++;
        throttledSince ??= performance.now();
      }
      await this.afterFailure(req, failure, attempt, mode, format, signal, {
        sent,
        throttles,
        throttledMs: throttledSince === undefined ? 0 : performance.now() - throttledSince,
      });
      if (failure.kind === 'format-unsupported' || failure.kind === 'throttled') attempt--;
    }
  }

  /** Throws when the call is over; otherwise waits before the next attempt (see {@link nextStep}). */
  private async afterFailure(
    req: ChatRequest,
    failure: AttemptFailure,
    attempt: number,
    mode: StructuredMode,
    format: JsonFormat | undefined,
    signal: AbortSignal,
    tally: { sent: number; throttles: number; throttledMs: number },
  ): Promise<void> {
    if (failure.kind === 'throttled') {
      this.ledger.add(req.plugin, req.category, { throttled: 1 });
      this.emit({
        type: 'throttled',
        plugin: req.plugin,
        category: req.category,
        attempt,
        status: failure.status,
        ...(failure.retryAfterMs !== undefined ? { retryAfterMs: failure.retryAfterMs } : {}),
        concurrencyLimit: this.limiter.concurrencyLimit,
      });
      this.loggerFor(req).warn('llm endpoint throttled', {
        endpoint: this.endpoint,
        plugin: req.plugin,
        status: failure.status,
        retryAfterMs: failure.retryAfterMs,
        concurrencyLimit: this.limiter.concurrencyLimit,
      });
    }
    const next = nextStep(failure, {
      endpoint: this.endpoint,
      model: this.model,
      where: `${this.endpoint} (${req.plugin}${req.category ? `, category ${req.category}` : ''})`,
      attempt,
      structured: format !== undefined && mode !== 'none',
      tally,
      config: this.config,
      signal,
    });
    switch (next.step) {
      case 'fail':
        this.ledger.add(req.plugin, req.category, { failures: 1 });
        throw next.error;
      case 'step-down':
        // Another call may already have stepped down from this mode; step only once per mode.
        if (this.structuredMode === mode) {
          this.structuredMode = mode === 'json_schema' ? 'json_object' : 'none';
          this.loggerFor(req).warn('llm server does not support this response_format; falling back', {
            endpoint: this.endpoint,
            from: mode,
            to: this.structuredMode,
          });
        }
        return;
      case 'throttled':
      case 'retry':
        return this.waitBeforeRetry(req, failure, attempt, next.delayMs, signal);
    }
  }

  private async waitBeforeRetry(
    req: ChatRequest,
    failure: AttemptFailure,
    attempt: number,
    delayMs: number,
    signal: AbortSignal,
  ): Promise<void> {
    this.ledger.add(req.plugin, req.category, { retries: 1 });
    this.emit({
      type: 'retry',
      plugin: req.plugin,
      category: req.category,
      attempt,
      delayMs,
      ...('status' in failure && failure.status !== undefined ? { status: failure.status } : {}),
      error: failure.message,
    });
    this.loggerFor(req).warn('llm request failed; retrying', {
      endpoint: this.endpoint,
      plugin: req.plugin,
      category: req.category,
      attempt,
      delayMs,
      error: failure.message,
    });
    try {
      await sleep(delayMs, undefined, { signal });
    } catch {
      this.ledger.add(req.plugin, req.category, { failures: 1 });
      throw abortedError(this.endpoint, signal);
    }
  }

  private emit(partial: Omit<LlmEvent, 'endpoint' | 'model'>): void {
    if (this.listeners.size === 0) return;
    const event: LlmEvent = { ...partial, endpoint: this.endpoint, model: this.model };
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A broken metrics listener must not fail LLM calls.
      }
    }
  }

  /** The calling stage's logger when it gave one (the client is shared by every stage of the process). */
  private loggerFor(req: ChatRequest): Logger {
    return req.logger ?? this.config.logger;
  }

  private scrub(text: string): string {
    const key = this.config.apiKey;
    const out = key.length >= 4 && key !== 'sk-no-key' ? text.split(key).join('[redacted]') : text;
    return redactSecrets(out);
  }
}
