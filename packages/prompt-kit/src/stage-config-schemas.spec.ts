import { checkPluginConfig } from '@tane/core';
import { describe, expect, it } from 'vitest';
import {
  maxInvalidRetriesSchema,
  samplingParamsSchema,
  templatesConfigSchema,
} from './stage-config-schemas.ts';

const stage = {
  name: 'test-stage',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      params: samplingParamsSchema({ temperature: 0.3, top_p: 0.95, max_tokens: 2048 }, 'Low temperature'),
      templates: templatesConfigSchema,
      maxInvalidRetries: maxInvalidRetriesSchema('Re-asks'),
    },
  },
};

describe('stage config schemas', () => {
  it("fills in the stage's sampling defaults, no templates and two re-asks", () => {
    expect(checkPluginConfig(stage, {})).toEqual({
      config: {
        params: { temperature: 0.3, top_p: 0.95, max_tokens: 2048 },
        templates: {},
        maxInvalidRetries: 2,
      },
      problems: [],
    });
    expect(checkPluginConfig(stage, { params: { temperature: 1 } }).config.params).toEqual({
      temperature: 1,
      top_p: 0.95,
      max_tokens: 2048,
    });
  });

  it('keeps the sampling bounds every model-facing stage shares', () => {
    const ok = { temperature: 2, top_p: 1, max_tokens: 1 };
    expect(checkPluginConfig(stage, { params: ok }).problems).toEqual([]);
    for (const params of [
      { temperature: -0.1 },
      { temperature: 2.1 },
      { top_p: 0 },
      { top_p: 1.01 },
      { max_tokens: 0 },
      { max_tokens: 10.5 },
      { seed: 1 },
    ]) {
      expect(checkPluginConfig(stage, { params }).problems, JSON.stringify(params)).not.toEqual([]);
    }
  });

  it('takes one template path per language and nothing else', () => {
    expect(checkPluginConfig(stage, { templates: { ja: 'a.md', en: 'b.md' } }).problems).toEqual([]);
    expect(checkPluginConfig(stage, { templates: { de: 'c.md' } }).problems).toEqual([
      { path: ['templates', 'de'], message: "unknown key 'de'" },
    ]);
    expect(checkPluginConfig(stage, { templates: { ja: '' } }).problems).not.toEqual([]);
  });

  it('allows 0 to 5 re-asks', () => {
    expect(checkPluginConfig(stage, { maxInvalidRetries: 0 }).problems).toEqual([]);
    expect(checkPluginConfig(stage, { maxInvalidRetries: 5 }).problems).toEqual([]);
    expect(checkPluginConfig(stage, { maxInvalidRetries: 6 }).problems).not.toEqual([]);
    expect(checkPluginConfig(stage, { maxInvalidRetries: -1 }).problems).not.toEqual([]);
  });

  it('describes the sampling block (the stage may say more)', () => {
    expect(samplingParamsSchema({ temperature: 0, top_p: 1, max_tokens: 1 }).description).toBe(
      'Sampling parameters sent with every request',
    );
    expect(samplingParamsSchema({ temperature: 0, top_p: 1, max_tokens: 1 }, 'd').description).toBe('d');
  });
});
