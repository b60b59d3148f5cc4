import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashString32, mulberry32 } from './hash32.ts';
import {
  LcsPattern,
  MAX_ROUGE_TOKENS,
  ROUGE_TOKEN_PATTERN,
  rougeL,
  rougeLUpperBound,
  rougeTokens,
} from './rouge-l.ts';

function lcsByTable(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const prev = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    let diag = 0;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = a[i - 1] === b[j - 1] ? diag + 1 : Math.max(up, prev[j - 1]!);
      diag = up;
    }
  }
  return prev[b.length]!;
}

describe('rougeTokens', () => {
  it('makes every Japanese character a token and drops punctuation', () => {
    expect(rougeTokens('「請求書」の金額。')).toHaveLength(6);
  });

  it('makes every Latin word or number a token', () => {
    expect(rougeTokens('Extract the total, in 2025!')).toHaveLength(5);
  });

  it('mixes both in one text', () => {
    expect(rougeTokens('JSONで出力')).toHaveLength(4);
  });

  it('folds case and full-width forms', () => {
    expect(rougeTokens('ＪＳＯＮ')).toEqual(rougeTokens('json'));
  });

  it('gives the tokens of its defining expression, for any text', () => {
    const byExpression = (text: string) => {
      const out: number[] = [];
      for (const m of text.normalize('NFKC').toLowerCase().matchAll(ROUGE_TOKEN_PATTERN)) {
        if (out.length >= MAX_ROUGE_TOKENS) break;
        // A word: its hash with the top bit set, as documented.
        out.push(
          m[1] !== undefined ? m[1].codePointAt(0)! : (hashString32(m[2]!, 0x726f7567) | 0x80000000) >>> 0,
        );
      }
      return out;
    };
    const piece = fc.oneof(
      fc.constantFrom(
        '請求書',
        'の',
        '金額',
        '。',
        '「',
        '」',
        'カ\u3099',
        'ｶﾞ',
        '한국어',
        'café',
        'e\u0301',
        '𠮷野家',
      ),
      fc.constantFrom(
        'Extract',
        'ＪＳＯＮ',
        '2025',
        '½',
        ' ',
        '\n',
        '-',
        '_',
        '\ud800',
        '😀',
        'İ',
        'x'.repeat(300),
      ),
      fc.string({ unit: 'binary', maxLength: 6 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        const text = pieces.join('');
        expect([...rougeTokens(text)]).toEqual(byExpression(text));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('rougeL', () => {
  it('scores Japanese paraphrases above zero (the [a-z0-9] tokenizer scores them 0)', () => {
    const f = rougeL(
      rougeTokens('請求書の金額を抽出してください。'),
      rougeTokens('請求書から金額を抽出してください'),
    );
    expect(f).toBeGreaterThan(0.85);
    expect(f).toBeLessThan(1);
  });

  it('scores identical texts 1 and unrelated texts near 0', () => {
    const a = rougeTokens('会議の議事録を三行で要約してください');
    expect(rougeL(a, a)).toBe(1);
    expect(rougeL(a, rougeTokens('Write a polite reply'))).toBe(0);
  });

  it('scores English paraphrases by words', () => {
    const f = rougeL(
      rougeTokens('Write a polite reply to the customer about the late delivery.'),
      rougeTokens('Write a polite reply to the customer about a delayed delivery.'),
    );
    // LCS: write a polite reply to the customer about … delivery = 9 of 11 words each.
    expect(f).toBeCloseTo(18 / 22, 5);
  });

  it('agrees with the dynamic-programming LCS on random sequences longer than one word', () => {
    const next = mulberry32(11);
    for (let t = 0; t < 300; t++) {
      const a = Array.from({ length: next() % 140 }, () => next() % 6);
      const b = Array.from({ length: next() % 140 }, () => next() % 6);
      expect(new LcsPattern(a).lcs(b)).toBe(lcsByTable(a, b));
    }
  });

  it('compares against a slice of a token pool', () => {
    const pattern = new LcsPattern([1, 2, 3]);
    expect(pattern.lcs([9, 9, 1, 2, 3, 9], 2, 5)).toBe(3);
    expect(pattern.rougeL([9, 1, 2, 3], 1, 4)).toBe(1);
  });

  it('bounds the score by the lengths', () => {
    expect(rougeLUpperBound(10, 30)).toBe(0.5);
  });
});
