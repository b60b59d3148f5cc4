import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL, resolveLlmConfig, safeEndpoint } from './llm-endpoint-config.ts';

describe('resolveLlmConfig', () => {
  it('takes the endpoint, key and model from the environment', () => {
    const c = resolveLlmConfig(
      {},
      { OPENAI_BASE_URL: 'http://127.0.0.1:8000/v1/', OPENAI_API_KEY: 'sk-env-key-1', TANE_MODEL: 'm1' },
    );
    expect(c).toMatchObject({
      baseURL: 'http://127.0.0.1:8000/v1',
      endpoint: 'http://127.0.0.1:8000/v1',
      apiKey: 'sk-env-key-1',
      model: 'm1',
    });
    expect(c).toMatchObject({
      maxConcurrency: 64,
      timeoutMs: 120_000,
      maxRetries: 6,
      structuredOutput: 'json_schema',
    });
    expect(c.cachePath).toMatch(/\.tane\/llm-cache\.db$/);
  });

  it('prefers explicit config and works without a key', () => {
    const c = resolveLlmConfig(
      { baseURL: 'http://127.0.0.1:1/v1', cachePath: false },
      { OPENAI_BASE_URL: 'http://other/v1' },
    );
    expect(c).toMatchObject({
      baseURL: 'http://127.0.0.1:1/v1',
      apiKey: 'sk-no-key',
      model: DEFAULT_MODEL,
      cachePath: false,
    });
  });

  it('fails with LLM_CONFIG and the next step when the endpoint is missing or wrong', () => {
    expect(() => resolveLlmConfig({}, {})).toThrow(
      expect.objectContaining({ code: 'LLM_CONFIG', hint: expect.stringContaining('OPENAI_BASE_URL') }),
    );
    expect(() => resolveLlmConfig({ baseURL: 'not a url' }, {})).toThrow(
      expect.objectContaining({ code: 'LLM_CONFIG' }),
    );
    expect(() => resolveLlmConfig({ baseURL: 'http://x/v1', maxConcurrency: 0 }, {})).toThrow(
      /maxConcurrency/,
    );
    const err = (() => {
      try {
        resolveLlmConfig({ baseURL: 'https://user:hunter2secret@llm.example/v1' }, {});
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.message).toContain('https://llm.example/v1');
    expect(err?.message).not.toContain('hunter2secret');
  });

  it('strips credentials and query strings from the printable endpoint', () => {
    expect(safeEndpoint('https://u:p@host:8443/v1/?api-key=zzz#x')).toBe('https://host:8443/v1');
  });
});
