import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bigramSimilarity,
  charLength,
  comparableSimilarity,
  comparableText,
  hasKana,
  japaneseShare,
  looksLikeLatinProse,
  normalizeForComparison,
} from './text.ts';

describe('text helpers', () => {
  it('counts characters as code points, so a Japanese sentence is not one "word"', () => {
    expect(charLength(' 議事録を要約して ')).toBe(8);
    expect(charLength('𠮷野家')).toBe(3);
  });

  it('tells Japanese from Chinese by kana', () => {
    expect(hasKana('次の文を要約してください')).toBe(true);
    expect(hasKana('请总结以下文本')).toBe(false);
  });

  it('measures how Japanese a text is', () => {
    expect(japaneseShare('Translate 「ありがとう」 into English')).toBeLessThan(0.5);
    expect(japaneseShare('次のメールに返信してください')).toBe(1);
  });

  it('tells English prose from labels and numbers', () => {
    expect(looksLikeLatinProse('Thank you for your message, we will reply soon.')).toBe(true);
    expect(looksLikeLatinProse('42')).toBe(false);
    expect(looksLikeLatinProse('OK')).toBe(false);
  });

  it('scores near-copies close to 1 and unrelated texts low', () => {
    expect(bigramSimilarity('次のメールに返信してください。', '次のメールに返信してください')).toBe(1);
    expect(
      bigramSimilarity('次のメールに丁寧に返信してください。', '次のメールに返信してください。'),
    ).toBeGreaterThan(0.8);
    expect(
      bigramSimilarity('議事録を要約してください。', '請求書から金額を抜き出してください。'),
    ).toBeLessThan(0.4);
  });
});

describe('comparableText', () => {
  /** The Dice coefficient over character bigrams as the definition reads, for comparison. */
  function dice(a: string, b: string): number {
    const na = normalizeForComparison(a);
    const nb = normalizeForComparison(b);
    if (na === nb) return 1;
    if (na.length === 0 || nb.length === 0) return 0;
    const grams = (t: string) => {
      const cs = [...t];
      const m = new Map<string, number>();
      if (cs.length === 1) m.set(cs[0]!, 1);
      for (let i = 0; i + 1 < cs.length; i++)
        m.set(cs[i]! + cs[i + 1]!, (m.get(cs[i]! + cs[i + 1]!) ?? 0) + 1);
      return m;
    };
    const ga = grams(na);
    const gb = grams(nb);
    let overlap = 0;
    let total = 0;
    for (const [g, n] of ga) {
      overlap += Math.min(n, gb.get(g) ?? 0);
      total += n;
    }
    for (const n of gb.values()) total += n;
    return (2 * overlap) / total;
  }

  it('gives the Dice coefficient of the definition, for Japanese, English and astral-plane text', () => {
    const text = fc.string({
      unit: fc.constantFrom(...'次のメールに返信してくださいあいうabc AB.,!😀𠮷ｱ'.split(/(?:)/u)),
      maxLength: 24,
    });
    fc.assert(
      fc.property(text, text, (a, b) => {
        expect(comparableSimilarity(comparableText(a), comparableText(b))).toBeCloseTo(dice(a, b), 12);
        expect(bigramSimilarity(a, b)).toBeCloseTo(dice(a, b), 12);
      }),
      { numRuns: 500 },
    );
  });
});
