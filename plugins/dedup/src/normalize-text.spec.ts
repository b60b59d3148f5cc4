import { describe, expect, it } from 'vitest';
import { comparisonText, normalizeText } from './normalize-text.ts';

describe('normalizeText', () => {
  it('removes Japanese punctuation, brackets and spaces', () => {
    expect(normalizeText('「請求書」の金額を、抽出してください。')).toBe('請求書の金額を抽出してください');
    expect(normalizeText('会議・議事録　まとめ！？')).toBe('会議議事録まとめ');
  });

  it('folds full-width forms and case (NFKC, lower-case)', () => {
    expect(normalizeText('ＪＳＯＮで出力（１件）')).toBe('jsonで出力1件');
    expect(normalizeText('Summarise   the E-mail.')).toBe('summarisetheemail');
  });

  it('treats the wave dash and the full-width tilde alike', () => {
    expect(normalizeText('10時〜12時')).toBe(normalizeText('10時～12時'));
  });

  it('keeps the long vowel mark, which is part of katakana words', () => {
    expect(normalizeText('サーバー')).toBe('サーバー');
  });
});

describe('comparisonText', () => {
  it('keeps field boundaries, so moving text between fields changes it', () => {
    const a = comparisonText({ instruction: 'ab', input: 'c' }, ['instruction', 'input']);
    const b = comparisonText({ instruction: 'a', input: 'bc' }, ['instruction', 'input']);
    expect(a).not.toBe(b);
  });

  it('reads only the chosen fields and treats a missing one as empty', () => {
    expect(comparisonText({ instruction: 'X', output: 'ignored' }, ['instruction', 'input'])).toBe('x\u0000');
  });
});
