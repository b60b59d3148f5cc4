import { describe, expect, it } from 'vitest';
import { DEFAULT_QUALITY, type GeneratedItem, generateExamples } from './generate-examples.ts';
import { judgeExample } from './judge-example.ts';
import { repairExample } from './repair-example.ts';
import { SAMPLE_SEEDS } from './sample-seeds.ts';
import { SeededRandom } from './seeded-random.ts';
import type { SimExample, SimLang, SimTask } from './sim-task.ts';

const judge = (example: SimExample, lang: SimLang) =>
  judgeExample(
    {
      kind: 'judge',
      lang,
      category: 'c',
      k: undefined,
      payload: { example, rubric: ['follows the instruction', 'fluent'] },
    },
    1,
  );
const repair = (example: SimExample, lang: SimLang, reasons: string[]) =>
  repairExample(
    {
      kind: 'repair',
      lang,
      category: 'c',
      k: undefined,
      payload: { example, feedback: { score: 2, reasons } },
    },
    1,
    0.2,
  );

function items(lang: SimLang): GeneratedItem[] {
  const out: GeneratedItem[] = [];
  for (let r = 0; r < 120; r++) {
    const rng = new SeededRandom('judge-test', r);
    const task: SimTask = {
      kind: 'generate',
      lang,
      category: 'c',
      k: 3,
      payload: { examples: rng.sample(SAMPLE_SEEDS[lang], 3) },
    };
    out.push(...generateExamples(task, `r${r}`, 1, DEFAULT_QUALITY));
  }
  return out;
}

describe('judgeExample and repairExample', () => {
  it.each(['ja', 'en'] as const)('follow the planted defects (%s)', (lang) => {
    for (const item of items(lang)) {
      const first = judge(item.example, lang);
      if (item.planted === 'clean' || item.planted === 'near-duplicate') {
        expect(first.verdict, JSON.stringify(item.example)).toBe('accept');
        expect(first.score).toBeGreaterThanOrEqual(4);
        continue;
      }
      if (item.planted === 'refusal') {
        expect(first.verdict).toBe('reject');
        continue;
      }
      expect(first.verdict, `${item.planted}: ${JSON.stringify(item.example)}`).toBe('repair');
      expect(first.score).toBe(2);
      const fixed = repair(item.example, lang, first.reasons);
      expect(fixed.instruction).toBe(item.example.instruction);
      expect(fixed.input).toBe(item.example.input);
      const second = judge(fixed, lang);
      expect(second.verdict, `${item.planted}: ${JSON.stringify(fixed)}`).toBe(
        item.unfixable ? 'reject' : 'accept',
      );
    }
  });

  it('gives up on about unfixableRate of the repairable items', () => {
    const defective = [...items('ja'), ...items('en')].filter((i) =>
      ['empty', 'truncated', 'wrong-language', 'length'].includes(i.planted),
    );
    const share = defective.filter((i) => i.unfixable).length / defective.length;
    expect(defective.length).toBeGreaterThan(100);
    expect(share).toBeGreaterThan(0.1);
    expect(share).toBeLessThan(0.3);
  });

  it('explains each defect in the language of the task', () => {
    const seed = SAMPLE_SEEDS.ja[0]!;
    expect(judge({ ...seed, output: '' }, 'ja').reasons[0]).toBe('出力が空で、指示に答えていない');
    expect(judge({ ...seed, output: `${seed.output.slice(0, 20)}、` }, 'ja').reasons[0]).toContain('途切れ');
    expect(
      judge({ ...seed, output: 'Thank you for the message and we will reply to you soon.' }, 'ja').reasons[0],
    ).toContain('英語');
    expect(
      judge({ ...seed, instruction: `${seed.instruction}30字以内で答えてください。` }, 'ja').reasons[0],
    ).toMatch(/30字以内/);
    const en = SAMPLE_SEEDS.en[0]!;
    expect(judge({ ...en, output: 'ご連絡ありがとうございます。' }, 'en').reasons[0]).toMatch(/Japanese/);
    const ok = judge(en, 'en');
    expect(ok.verdict).toBe('accept');
    expect(Object.keys(ok.criteria)).toEqual(['follows the instruction', 'fluent']);
  });
});
