import { checkPluginConfig } from '@tane/core';
import type { LlmEndpointConfig } from '@tane/llm';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { endpointConfig, type LlmSettings, llmSettingsSchema } from './llm-settings.ts';

const stage = {
  name: 'test-stage',
  configSchema: { type: 'object', properties: { llm: llmSettingsSchema } },
};
const dirs = { baseDir: '/srv/pipeline', dataDir: '/srv/pipeline/.tane' };

describe('llmSettingsSchema', () => {
  it('accepts every endpoint setting a pipeline may give and defaults to an empty block', () => {
    const llm: Required<LlmSettings> = {
      baseURL: 'http://127.0.0.1:8000/v1',
      model: 'qwen',
      maxConcurrency: 8,
      requestsPerMinute: 600,
      tokensPerMinute: 100_000,
      timeoutMs: 60_000,
      maxRetries: 0,
      throttleBudgetMs: 120_000,
      cachePath: false,
      tokenBudget: 1_000_000,
      structuredOutput: 'json_object',
    };
    expect(checkPluginConfig(stage, { llm }).problems).toEqual([]);
    expect(checkPluginConfig(stage, {}).config).toEqual({ llm: {} });
  });

  it('rejects an API key in the pipeline file', () => {
    expect(checkPluginConfig(stage, { llm: { apiKey: 'sk-live-123' } }).problems).toEqual([
      { path: ['llm', 'apiKey'], message: "unknown key 'apiKey'" },
    ]);
  });

  it('rejects values the client would refuse', () => {
    for (const llm of [
      { maxConcurrency: 0 },
      { maxRetries: -1 },
      { timeoutMs: 1.5 },
      { cachePath: '' },
      { cachePath: true },
      { structuredOutput: 'grammar' },
      { baseURL: '' },
    ]) {
      expect(checkPluginConfig(stage, { llm }).problems, JSON.stringify(llm)).not.toEqual([]);
    }
  });

  it('names exactly the keys of LlmSettings, each one a key of the client config', () => {
    expectTypeOf<keyof typeof llmSettingsSchema.properties>().toEqualTypeOf<keyof LlmSettings>();
    expectTypeOf<LlmSettings>().toExtend<LlmEndpointConfig>();
    expect(Object.keys(llmSettingsSchema.properties).sort()).toEqual([
      'baseURL',
      'cachePath',
      'maxConcurrency',
      'maxRetries',
      'model',
      'requestsPerMinute',
      'structuredOutput',
      'throttleBudgetMs',
      'timeoutMs',
      'tokenBudget',
      'tokensPerMinute',
    ]);
  });
});

describe('endpointConfig', () => {
  it("keeps the response cache in the pipeline's data folder by default", () => {
    expect(endpointConfig({ model: 'm' }, dirs)).toEqual({
      model: 'm',
      cachePath: '/srv/pipeline/.tane/llm-cache.db',
    });
  });

  it('resolves a relative cache path against the pipeline folder and keeps an absolute one or false', () => {
    expect(endpointConfig({ cachePath: 'cache/llm.db' }, dirs).cachePath).toBe('/srv/pipeline/cache/llm.db');
    expect(endpointConfig({ cachePath: '/var/cache/llm.db' }, dirs).cachePath).toBe('/var/cache/llm.db');
    expect(endpointConfig({ cachePath: false }, dirs).cachePath).toBe(false);
  });

  it("uses a category's model over the configured one, and leaves the settings it was given alone", () => {
    const settings: LlmSettings = { model: 'mixtral', maxConcurrency: 4 };
    expect(endpointConfig(settings, dirs, 'qwen')).toMatchObject({ model: 'qwen', maxConcurrency: 4 });
    expect(endpointConfig(settings, dirs, undefined).model).toBe('mixtral');
    expect(settings).toEqual({ model: 'mixtral', maxConcurrency: 4 });
  });
});
