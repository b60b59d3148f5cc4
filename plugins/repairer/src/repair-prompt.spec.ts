import { loadDefaultTemplates } from '@tane/prompt-kit';
import { describe, expect, it } from 'vitest';
import { buildRepairMessages, REPAIR_TEMPLATES } from './repair-prompt.ts';

const templates = loadDefaultTemplates(REPAIR_TEMPLATES, {}, process.cwd());

describe('repair prompt', () => {
  it('ships ja and en templates that keep category and language', () => {
    expect(templates.ja.id).toBe('tane-repair-ja');
    expect(templates.en.id).toBe('tane-repair-en');
    const [, ja] = buildRepairMessages({
      template: templates.ja,
      lang: 'ja',
      category: { id: 'c', name: '議事録', description: 'd' },
      example: { instruction: 'i', input: '', output: 'o' },
      feedback: { score: 2, reasons: ['r'] },
    });
    expect(ja!.content).toContain('カテゴリは変えないでください');
    expect(ja!.content).toContain('すべて日本語で書き');
    const [system, en] = buildRepairMessages({
      template: templates.en,
      lang: 'en',
      category: { id: 'c', name: 'Minutes', description: 'd' },
      example: { instruction: 'i', input: '', output: 'o' },
      feedback: { score: 3, reasons: ['r'] },
    });
    expect(system!.content.startsWith('tane-task: repair\ntane-lang: en\ntane-category: c\n')).toBe(true);
    expect(en!.content).toContain('Write everything in English');
    expect(en!.content.trimEnd().endsWith('```')).toBe(true);
  });
});
