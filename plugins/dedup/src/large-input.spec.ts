import { describe, expect, it } from 'vitest';
import { MinHasher } from './min-hasher.ts';
import { comparisonText, normalizeText } from './normalize-text.ts';
import { MAX_ROUGE_TOKENS, rougeL, rougeTokens } from './rouge-l.ts';

// A 10 MB field once made every `tane run` die with "Maximum call stack size exceeded".
const TEN_MB = 10_000_000;

describe('text routines on a 10 MB field', () => {
  it('tokenises one long word, a long CJK run and long punctuation without overflowing the stack', () => {
    for (const text of [
      'a'.repeat(TEN_MB),
      '請'.repeat(TEN_MB / 2),
      'é'.normalize('NFD').repeat(TEN_MB / 4),
    ]) {
      const tokens = rougeTokens(text);
      expect(tokens.length).toBeGreaterThan(0);
      expect(tokens.length).toBeLessThanOrEqual(MAX_ROUGE_TOKENS);
      expect(rougeL(tokens, tokens)).toBe(1);
    }
  });

  it('normalises and sketches long runs of punctuation and letters', () => {
    expect(normalizeText('、'.repeat(TEN_MB / 2))).toBe('');
    expect(comparisonText({ instruction: '!'.repeat(TEN_MB), input: 'x' }, ['instruction', 'input'])).toBe(
      '\u0000x',
    );
    const signature = new MinHasher({ ngram: 3, numPerm: 16, bands: 4, rows: 4 }).signature(
      'ab'.repeat(TEN_MB / 4),
    );
    expect(signature.length).toBe(16);
  });

  it('keeps short texts as they were tokenised before', () => {
    expect(rougeTokens('請求書の金額を抽出してください').length).toBe(15);
    expect(rougeTokens('Extract the total、「x」 café').length).toBe(5);
  });
});
