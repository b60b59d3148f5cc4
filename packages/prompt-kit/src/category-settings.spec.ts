import { makeRecord } from '@tane/testkit';
import { describe, expect, it } from 'vitest';
import { readCategorySettings } from './category-settings.ts';

describe('readCategorySettings', () => {
  const category = {
    id: 'email-reply',
    name: 'ビジネスメール返信',
    description: '返信文を書く。',
    language: 'ja-JP',
    prompt: {
      template: 'prompts/email.md',
      extra: { generate: '件名を付ける。', judge: '署名を確認する。' },
    },
    model: { name: 'qwen', temperature: 0.6 },
    rubric: { extra: ['宛名が正しいか', 3], thresholds: { accept: 5 } },
  };
  const record = makeRecord({ category: 'email-reply', data: {}, meta: { category } });

  it('reads the overrides for the generator', () => {
    expect(readCategorySettings(record, 'generate', 's')).toMatchObject({
      lang: 'ja',
      templatePath: 'prompts/email.md',
      extra: '件名を付ける。',
      modelName: 'qwen',
      temperature: 0.6,
      rubricExtra: ['宛名が正しいか'],
      thresholds: { accept: 5 },
    });
  });

  it('applies a plain-string template to the generator only, and per-task values to each task', () => {
    expect(readCategorySettings(record, 'judge', 's')).toMatchObject({
      templatePath: undefined,
      extra: '署名を確認する。',
    });
    expect(readCategorySettings(record, 'repair', 's')).toMatchObject({
      templatePath: undefined,
      extra: undefined,
    });
  });

  it('accepts `model.model` as the model name, as the categories file may write it', () => {
    const r = makeRecord({
      category: 'x',
      data: {},
      meta: { category: { id: 'x', model: { model: 'llama' } } },
    });
    expect(readCategorySettings(r, 'generate', 's').modelName).toBe('llama');
  });

  it('fails with INPUT_INVALID and a hint when meta.category is missing', () => {
    expect(() => readCategorySettings(makeRecord({ data: {} }), 'judge', 'judge')).toThrow(/meta\.category/);
  });

  it('falls back to the record category, Japanese and no overrides when meta.category says little', () => {
    const r = makeRecord({ category: 'x', data: {}, meta: { category: {} } });
    expect(readCategorySettings(r, 'generate', 's')).toEqual({
      id: 'x',
      name: 'x',
      description: '',
      language: 'ja',
      lang: 'ja',
      templatePath: undefined,
      extra: undefined,
      modelName: undefined,
      temperature: undefined,
      rubricCriteria: undefined,
      rubricExtra: [],
      thresholds: {},
    });
  });

  it('ignores values of the wrong type instead of sending them to the model', () => {
    const r = makeRecord({
      category: 'x',
      data: {},
      meta: {
        category: {
          id: 'x',
          name: '  ',
          model: { temperature: Number.NaN },
          rubric: { criteria: [], thresholds: { accept: '5', repair: 1 } },
        },
      },
    });
    expect(readCategorySettings(r, 'judge', 's')).toMatchObject({
      name: 'x',
      temperature: undefined,
      rubricCriteria: undefined,
      thresholds: { repair: 1 },
    });
  });
});
