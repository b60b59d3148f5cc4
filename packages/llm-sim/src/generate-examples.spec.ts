import { describe, expect, it } from 'vitest';
import { DEFAULT_QUALITY, type GeneratedItem, generateExamples } from './generate-examples.ts';
import { SAMPLE_SEEDS } from './sample-seeds.ts';
import { SeededRandom } from './seeded-random.ts';
import type { SimLang, SimTask } from './sim-task.ts';

/** ROUGE-L F1, characters for Japanese and words for English (as Self-Instruct filters use it). */
function tokens(text: string, lang: SimLang): string[] {
  return lang === 'ja' ? [...text] : text.toLowerCase().split(/\s+/).filter(Boolean);
}

function f1(lcs: number, a: number, b: number): number {
  return lcs === 0 ? 0 : (2 * lcs) / (a + b);
}

function bagOverlap(x: string[], y: string[]): number {
  const counts = new Map<string, number>();
  for (const t of x) counts.set(t, (counts.get(t) ?? 0) + 1);
  let n = 0;
  for (const t of y) {
    const c = counts.get(t) ?? 0;
    if (c > 0) {
      n++;
      counts.set(t, c - 1);
    }
  }
  return n;
}

/** Whether ROUGE-L(a, b) >= threshold; cheap upper bounds first, the LCS only when they pass. */
function similar(x: string[], y: string[], threshold: number): boolean {
  if (f1(Math.min(x.length, y.length), x.length, y.length) < threshold) return false;
  if (f1(bagOverlap(x, y), x.length, y.length) < threshold) return false;
  const row = new Int32Array(y.length + 1);
  for (let i = 1; i <= x.length; i++) {
    let diag = 0;
    for (let j = 1; j <= y.length; j++) {
      const up = row[j]!;
      row[j] = x[i - 1] === y[j - 1] ? diag + 1 : Math.max(up, row[j - 1]!);
      diag = up;
    }
  }
  return f1(row[y.length]!, x.length, y.length) >= threshold;
}

/** 100 generate requests of k=3, each with 3 few-shot examples sampled from the pool. */
function run(lang: SimLang, quality = DEFAULT_QUALITY, requests = 100): GeneratedItem[] {
  const items: GeneratedItem[] = [];
  for (let r = 0; r < requests; r++) {
    const rng = new SeededRandom('test-request', r);
    const task: SimTask = {
      kind: 'generate',
      lang,
      category: 'business',
      k: 3,
      payload: { examples: rng.sample(SAMPLE_SEEDS[lang], 3) },
    };
    items.push(...generateExamples(task, `request-${r}`, 1, quality));
  }
  return items;
}

/** Share of items whose instruction has ROUGE-L >= 0.7 to a seed or to an earlier item. */
function nearDuplicateShare(items: GeneratedItem[], lang: SimLang): number {
  const seen = SAMPLE_SEEDS[lang].map((s) => tokens(s.instruction, lang));
  let dup = 0;
  for (const item of items) {
    const t = tokens(item.example.instruction, lang);
    if (seen.some((s) => similar(t, s, 0.7))) dup++;
    seen.push(t);
  }
  return dup / items.length;
}

describe('generateExamples', () => {
  it('is deterministic for the same request and seed', () => {
    const task: SimTask = {
      kind: 'generate',
      lang: 'ja',
      category: 'c',
      k: 5,
      payload: { examples: SAMPLE_SEEDS.ja },
    };
    expect(generateExamples(task, 'h', 1, DEFAULT_QUALITY)).toEqual(
      generateExamples(task, 'h', 1, DEFAULT_QUALITY),
    );
    expect(generateExamples(task, 'h', 2, DEFAULT_QUALITY)).not.toEqual(
      generateExamples(task, 'h', 1, DEFAULT_QUALITY),
    );
  });

  it('writes Japanese instructions for ja and English ones for en', () => {
    for (const item of run('ja', DEFAULT_QUALITY, 20))
      expect(item.example.instruction).toMatch(/[\u3040-\u30ff]/);
    for (const item of run('en', DEFAULT_QUALITY, 20))
      expect(item.example.instruction).not.toMatch(/[\u3040-\u30ff]/);
  });

  it.each(['ja', 'en'] as const)('plants kinds at roughly the configured rates (%s)', (lang) => {
    const items = run(lang);
    const share = (pred: (i: GeneratedItem) => boolean) => items.filter(pred).length / items.length;
    expect(share((i) => i.planted === 'near-duplicate')).toBeCloseTo(0.1, 1);
    expect(
      share((i) => ['empty', 'truncated', 'wrong-language', 'length'].includes(i.planted)),
    ).toBeGreaterThan(0.17);
    expect(share((i) => ['empty', 'truncated', 'wrong-language', 'length'].includes(i.planted))).toBeLessThan(
      0.33,
    );
    expect(share((i) => i.planted === 'refusal')).toBeLessThan(0.1);
  });

  it.each(['ja', 'en'] as const)(
    'makes near-duplicates at about nearDuplicateRate and keeps the rest diverse (%s)',
    (lang) => {
      const normal = nearDuplicateShare(run(lang), lang);
      expect(normal).toBeGreaterThan(0.05);
      expect(normal).toBeLessThan(0.17);
      const none = nearDuplicateShare(run(lang, { ...DEFAULT_QUALITY, nearDuplicateRate: 0 }), lang);
      expect(none).toBeLessThan(0.06);
      const many = nearDuplicateShare(run(lang, { ...DEFAULT_QUALITY, nearDuplicateRate: 0.4 }), lang);
      expect(many).toBeGreaterThan(0.35);
    },
  );

  it('keeps dates, amounts and names consistent between input and output', () => {
    const invoice = SAMPLE_SEEDS.ja[3]!;
    const task: SimTask = {
      kind: 'generate',
      lang: 'ja',
      category: 'c',
      k: 20,
      payload: { examples: [invoice] },
    };
    const quality = { ...DEFAULT_QUALITY, lowQualityRate: 0, rejectRate: 0, nearDuplicateRate: 0 };
    for (const { example } of generateExamples(task, 'invoice', 1, quality)) {
      const company = /請求元：(.+)/.exec(example.input)![1]!;
      const date = /請求日：(.+)/.exec(example.input)![1]!;
      const total = /合計 (.+)/.exec(example.input)![1]!;
      expect(example.output).toBe(`請求元：${company}\n請求日：${date}\n合計金額：${total}`);
      const [subtotal, tax] = [/小計 ([\d,]+)円/, /消費税 ([\d,]+)円/].map((re) =>
        Number(re.exec(example.input)![1]!.replace(/,/g, '')),
      );
      expect(Number(total.replace(/[,円]/g, ''))).toBe(subtotal! + tax!);
    }
  });
});
