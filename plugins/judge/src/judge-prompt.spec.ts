import { loadDefaultTemplates } from '@tane/prompt-kit';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RUBRIC_JA } from './judge-config.ts';
import { buildJudgeMessages, JUDGE_TEMPLATES, rubricFor } from './judge-prompt.ts';

const templates = loadDefaultTemplates(JUDGE_TEMPLATES, {}, process.cwd());
const example = {
  instruction: '次の文を敬語に直してください。',
  input: '資料見ました。',
  output: '資料を拝見しました。',
};
const category = { id: 'keigo-rewrite', name: '敬語への書き換え', description: '敬語に書き換える。' };

function lastJsonBlock(text: string): unknown {
  return JSON.parse([...text.matchAll(/```json\s*\n([\s\S]*?)```/g)].at(-1)![1]!);
}

describe('judge prompt', () => {
  it('builds the rubric from the defaults, a category replacement and category extras', () => {
    expect(rubricFor(DEFAULT_RUBRIC_JA, { rubricExtra: ['二重敬語がないか'] })).toEqual([
      ...DEFAULT_RUBRIC_JA,
      '二重敬語がないか',
    ]);
    expect(
      rubricFor(DEFAULT_RUBRIC_JA, { rubricCriteria: ['正確さ'], rubricExtra: ['敬語', '正確さ'] }),
    ).toEqual(['正確さ', '敬語']);
  });

  it('has the markers, asks to ignore length and position, and ends with {example, rubric}', () => {
    const rubric = rubricFor(DEFAULT_RUBRIC_JA, { rubricExtra: ['二重敬語がないか'] });
    const [system, user] = buildJudgeMessages({
      template: templates.ja,
      lang: 'ja',
      category,
      example,
      rubric,
      thresholds: { accept: 4, repair: 2 },
    });
    expect(system!.content.split('\n').slice(0, 3)).toEqual([
      'tane-task: judge',
      'tane-lang: ja',
      'tane-category: keigo-rewrite',
    ]);
    expect(system!.content).not.toContain('tane-k');
    expect(user!.content).toContain('出力の長さや、情報が書かれている位置・順番で評価を変えないでください');
    expect(user!.content).toContain('accept: score が4以上');
    expect(user!.content.trimEnd().endsWith('```')).toBe(true);
    expect(lastJsonBlock(user!.content)).toEqual({ example, rubric });
  });

  it('has an English template that says the same', () => {
    const [, user] = buildJudgeMessages({
      template: templates.en,
      lang: 'en',
      category,
      example,
      rubric: ['Clarity'],
      thresholds: { accept: 5, repair: 3 },
    });
    expect(user!.content).toContain('Do not let the length of the output');
    expect(user!.content).toContain('accept: score 5 or more');
  });
});
