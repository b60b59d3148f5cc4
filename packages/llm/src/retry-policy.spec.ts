import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  classifyFailure,
  type FailureContext,
  nextStep,
  retryAfterMs,
} from './retry-policy.ts';

const keep = (s: string) => s;
const apiError = (status: number, message: string, headers: Record<string, string> = {}) =>
  APIError.generate(status, { error: { message } }, undefined, new Headers(headers));

describe('retry policy', () => {
  it('reads retry-after-ms, Retry-After seconds and Retry-After dates', () => {
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '250', 'retry-after': '9' }))).toBe(250);
    expect(retryAfterMs(new Headers({ 'retry-after': '2' }))).toBe(2_000);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(retryAfterMs(new Headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:03 GMT' }), now)).toBe(3_000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });

  it('backs off exponentially with jitter between half and all of the step, capped', () => {
    expect(backoffDelay(1, 100, 10_000, () => 0)).toBe(50);
    expect(backoffDelay(1, 100, 10_000, () => 1)).toBe(100);
    expect(backoffDelay(4, 100, 10_000, () => 1)).toBe(800);
    expect(backoffDelay(20, 100, 10_000, () => 1)).toBe(10_000);
  });

  it('classifies SDK errors', () => {
    expect(classifyFailure(apiError(429, 'slow down', { 'retry-after': '1' }), keep, 1)).toMatchObject({
      kind: 'throttled',
      status: 429,
      retryAfterMs: 1_000,
    });
    expect(classifyFailure(apiError(503, 'overloaded'), keep, 1)).toMatchObject({
      kind: 'throttled',
      status: 503,
    });
    expect(classifyFailure(apiError(500, 'boom'), keep, 1)).toMatchObject({ kind: 'retryable', status: 500 });
    expect(
      classifyFailure(apiError(400, "response_format 'json_schema' is not supported"), keep, 1),
    ).toMatchObject({
      kind: 'format-unsupported',
    });
    expect(classifyFailure(apiError(400, 'prompt too long'), keep, 1)).toMatchObject({
      kind: 'rejected',
      status: 400,
    });
    expect(classifyFailure(apiError(401, 'bad key'), keep, 1)).toMatchObject({ kind: 'auth' });
    expect(classifyFailure(new APIConnectionTimeoutError(), keep, 1234)).toMatchObject({
      kind: 'retryable',
      message: 'request timed out after 1234 ms',
    });
    expect(classifyFailure(new APIConnectionError({ message: 'x' }), keep, 1)).toMatchObject({
      kind: 'retryable',
    });
    expect(classifyFailure(new APIUserAbortError(), keep, 1)).toMatchObject({ kind: 'aborted' });
    expect(classifyFailure(new SyntaxError('Unexpected end of JSON input'), keep, 1)).toMatchObject({
      kind: 'retryable',
    });
  });

  it('keeps the key out of the message', () => {
    const f = classifyFailure(
      apiError(401, 'Incorrect API key provided: sk-live-abcdefgh1234'),
      (s) => s.replaceAll('sk-live-abcdefgh1234', '[k]'),
      1,
    );
    expect(f.message).not.toContain('sk-live-abcdefgh1234');
  });

  describe('after a failed attempt', () => {
    const context = (over: Partial<FailureContext> = {}): FailureContext => ({
      endpoint: 'http://127.0.0.1:8000/v1',
      model: 'mixtral',
      where: 'http://127.0.0.1:8000/v1 (judge, category qa)',
      attempt: 1,
      structured: true,
      tally: { sent: 1, throttles: 1, throttledMs: 0 },
      config: { maxRetries: 2, retryBaseDelayMs: 100, retryMaxDelayMs: 1_000, throttleBudgetMs: 5_000 },
      signal: new AbortController().signal,
      ...over,
    });
    const top = () => 1;

    it('retries a retryable failure with backoff until maxRetries, then gives up with the count sent', () => {
      const failure = { kind: 'retryable', status: 502, message: 'bad gateway' } as const;
      expect(nextStep(failure, context({ attempt: 1 }), top)).toEqual({ step: 'retry', delayMs: 100 });
      expect(nextStep(failure, context({ attempt: 2 }), top)).toEqual({ step: 'retry', delayMs: 200 });
      const last = nextStep(
        failure,
        context({ attempt: 3, tally: { sent: 5, throttles: 2, throttledMs: 10 } }),
        top,
      );
      expect(last.step).toBe('fail');
      expect(last.step === 'fail' && last.error).toMatchObject({
        code: 'LLM_RETRIES_EXHAUSTED',
        message: 'gave up after 3 attempts; last error: HTTP 502: bad gateway',
        where: 'http://127.0.0.1:8000/v1 (judge, category qa)',
        retryable: true,
        attempts: 5,
      });
    });

    it('waits out throttling as long as the budget lasts, the longer of Retry-After and the backoff', () => {
      const throttled = (retryAfterMs: number | undefined) =>
        ({ kind: 'throttled', status: 429, retryAfterMs, message: 'slow down' }) as const;
      expect(nextStep(throttled(3_000), context(), top)).toEqual({ step: 'throttled', delayMs: 3_000 });
      expect(nextStep(throttled(undefined), context(), top)).toEqual({ step: 'throttled', delayMs: 100 });
      const spent = context({ tally: { sent: 9, throttles: 2, throttledMs: 4_500 } });
      expect(nextStep(throttled(400), spent, top)).toEqual({ step: 'throttled', delayMs: 400 });
      expect(nextStep(throttled(undefined), spent, top)).toEqual({ step: 'throttled', delayMs: 200 });
      const over = nextStep(throttled(600), spent, top);
      expect(over.step === 'fail' && over.error).toMatchObject({
        code: 'LLM_THROTTLED',
        retryable: true,
        attempts: 9,
        hint: expect.stringContaining('throttleBudgetMs'),
      });
    });

    it('steps down from an unsupported response_format, and fails a plain request the server refuses', () => {
      const failure = {
        kind: 'format-unsupported',
        status: 400,
        message: 'unknown field json_schema',
      } as const;
      expect(nextStep(failure, context())).toEqual({ step: 'step-down' });
      const plain = nextStep(failure, context({ structured: false }));
      expect(plain.step === 'fail' && plain.error.code).toBe('LLM_REQUEST_REJECTED');
    });

    it('fails at once on a refused key, a rejected request or an abort, saying what to do', () => {
      const auth = nextStep({ kind: 'auth', status: 401, message: 'invalid key' }, context());
      expect(auth.step === 'fail' && auth.error).toMatchObject({
        code: 'LLM_CONFIG',
        hint: expect.stringContaining('OPENAI_API_KEY'),
      });
      const missing = nextStep({ kind: 'rejected', status: 404, message: 'no such model' }, context());
      expect(missing.step === 'fail' && missing.error.hint).toContain('serves model mixtral');
      const big = nextStep({ kind: 'rejected', status: 400, message: 'too long' }, context());
      expect(big.step === 'fail' && big.error.hint).toContain('max_tokens');
      const abort = new AbortController();
      abort.abort();
      const aborted = nextStep({ kind: 'aborted', message: 'aborted' }, context({ signal: abort.signal }));
      expect(aborted.step === 'fail' && aborted.error.code).toBe('LLM_ABORTED');
    });
  });
});
