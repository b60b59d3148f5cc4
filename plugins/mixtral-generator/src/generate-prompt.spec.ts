import { loadDefaultTemplates } from '@tane/prompt-kit';
import { describe, expect, it } from 'vitest';
import { buildGenerateMessages, GENERATE_TEMPLATES } from './generate-prompt.ts';

const templates = loadDefaultTemplates(GENERATE_TEMPLATES, {}, process.cwd());
const fewShot = [
  { instruction: '次の文を敬語に直してください。', input: '資料見ました。', output: '資料を拝見しました。' },
  {
    instruction: '会議のメモを3行で要約してください。',
    input: '・予算は80万円\n・開始は5月',
    output: '1. 予算は80万円。',
  },
];
const category = {
  id: 'keigo-rewrite',
  name: '敬語への書き換え',
  description: '社内向けの文を敬語に書き換える。',
};

function lastJsonBlock(text: string): unknown {
  const blocks = [...text.matchAll(/```json\s*\n([\s\S]*?)```/g)];
  return JSON.parse(blocks.at(-1)![1]!);
}

describe('buildGenerateMessages', () => {
  const messages = buildGenerateMessages({
    template: templates.ja,
    lang: 'ja',
    category,
    k: 8,
    examples: fewShot,
  });
  const [system, user] = messages;

  it('opens the system message with the markers, one per line', () => {
    expect(system!.role).toBe('system');
    expect(system!.content.split('\n').slice(0, 4)).toEqual([
      'tane-task: generate',
      'tane-lang: ja',
      'tane-category: keigo-rewrite',
      'tane-k: 8',
    ]);
  });

  it('ends the user message with a fenced JSON payload holding the category and the few-shot examples', () => {
    expect(user!.role).toBe('user');
    expect(user!.content.trimEnd().endsWith('```')).toBe(true);
    expect(lastJsonBlock(user!.content)).toEqual({ category, examples: fewShot });
  });

  it('asks for k examples in the category, in the template language', () => {
    expect(user!.content).toContain('「敬語への書き換え」の指示チューニング用の例を、新しく8件');
    expect(user!.content).toContain('社内向けの文を敬語に書き換える。');
    expect(user!.content).not.toMatch(/\{\{/);
  });

  it('appends the category extra text before the payload', () => {
    const withExtra = buildGenerateMessages({
      template: templates.ja,
      lang: 'ja',
      category,
      k: 3,
      examples: fewShot,
      extra: '相手は必ず社外の顧客にしてください。',
    });
    const text = withExtra[1]!.content;
    expect(text.indexOf('相手は必ず社外の顧客にしてください。')).toBeLessThan(text.lastIndexOf('```json'));
    expect(text.indexOf('相手は必ず社外の顧客にしてください。')).toBeGreaterThan(0);
  });

  it('uses the English template and marker for an en category', () => {
    const en = buildGenerateMessages({
      template: templates.en,
      lang: 'en',
      category: { id: 'summary', name: 'Summaries', description: 'Summarise texts.' },
      k: 5,
      examples: [{ instruction: 'Summarise this.', input: 'Long text.', output: 'Short.' }],
    });
    expect(en[0]!.content).toContain('tane-lang: en');
    expect(en[1]!.content).toContain('Write 5 new instruction-tuning examples for the category "Summaries"');
  });
});

describe('built-in generation templates', () => {
  it('ships a ja and an en generation template that load', () => {
    const t = loadDefaultTemplates(GENERATE_TEMPLATES, {}, process.cwd());
    expect(t.ja.id).toBe('tane-generate-ja');
    expect(t.en.id).toBe('tane-generate-en');
    expect(t.ja.user).toContain('{{k}}');
  });
});
