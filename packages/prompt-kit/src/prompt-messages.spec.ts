import { describe, expect, it } from 'vitest';
import { categoryTemplateValues } from './category-template-values.ts';
import { buildPromptMessages, promptExample } from './prompt-messages.ts';
import { parsePromptTemplate } from './prompt-template.ts';

const vars = ['language', 'category.id', 'category.name', 'category.description', 'k'];
const category = { id: 'keigo', name: '敬語', description: '敬語に直す。' };

describe('buildPromptMessages', () => {
  it('opens the system message with the markers and ends the user message with the payload', () => {
    const template = parsePromptTemplate(
      '---\nid: t\nversion: 1\n---\n<!-- system -->\n{{language}}で書く。\n<!-- user -->\n「{{category.name}}」の例を{{k}}件。',
      'inline',
      vars,
    );
    const [system, user] = buildPromptMessages({
      template,
      markers: { task: 'generate', lang: 'ja', category: category.id, k: 3 },
      values: { k: 3, ...categoryTemplateValues('ja', category) },
      extra: '丁寧に。',
      payload: { n: 1 },
    });
    expect(system).toEqual({
      role: 'system',
      content: 'tane-task: generate\ntane-lang: ja\ntane-category: keigo\ntane-k: 3\n\n日本語で書く。',
    });
    expect(user).toEqual({
      role: 'user',
      content: '「敬語」の例を3件。\n\n丁寧に。\n\n```json\n{\n  "n": 1\n}\n```',
    });
  });

  it('sends only the markers as the system message when the template has no system text', () => {
    const template = parsePromptTemplate('---\nid: t\nversion: 1\n---\n<!-- user -->\nGo.', 'inline', vars);
    const [system] = buildPromptMessages({
      template,
      markers: { task: 'repair', lang: 'en', category: 'c' },
      values: {},
      payload: {},
    });
    expect(system!.content).toBe('tane-task: repair\ntane-lang: en\ntane-category: c');
  });
});

describe('promptExample', () => {
  it('keeps instruction, input and output only, with an empty input when missing', () => {
    const seed = { id: 'seed-1', instruction: 'i', output: 'o', source: 'x' };
    expect(promptExample(seed as unknown as Parameters<typeof promptExample>[0])).toEqual({
      instruction: 'i',
      input: '',
      output: 'o',
    });
    expect(Object.keys(promptExample({ output: 'o', input: 'n', instruction: 'i' }))).toEqual([
      'instruction',
      'input',
      'output',
    ]);
  });
});
