import { describe, expect, it } from 'vitest';
import { bigramSimilarity, charLength, hasKana, japaneseShare, looksLikeLatinProse } from './text.ts';

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
