import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { describe, expect, it } from 'vitest';
import { backoffDelay, classifyFailure, retryAfterMs } from './retry-policy.ts';

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
});
