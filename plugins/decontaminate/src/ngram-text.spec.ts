import { describe, expect, it } from 'vitest';
import { ngramHashes } from './ngram-hash.ts';
import { ngramUnits, usesCharacterNgrams } from './ngram-text.ts';

describe('ngramUnits', () => {
  it('cuts Japanese into characters, dropping punctuation and whitespace, after NFKC', () => {
    const a = ngramUnits('「請求書」の　金額を、抽出！');
    expect(a.mode).toBe('char');
    expect(a.units.join('')).toBe('請求書の金額を抽出');
    expect(ngramUnits('請求書の金額を抽出').units).toEqual(a.units);
  });

  it('cuts English into lower-cased words', () => {
    const t = ngramUnits("The Committee's review, postponed.");
    expect(t.mode).toBe('word');
    expect(t.units).toEqual(['the', "committee's", 'review', 'postponed']);
    expect(t.text.slice(t.starts[1], t.ends[1])).toBe("committee's");
  });

  it('treats Japanese with a few English words as Japanese', () => {
    expect(usesCharacterNgrams('結果をJSONで出力してください')).toBe(true);
    expect(usesCharacterNgrams('Output the result as JSON, 以上')).toBe(false);
  });

  it('gives the same hashes for the same n-grams and none for a text shorter than n', () => {
    const a = ngramHashes(ngramUnits('one two three four five'), 3);
    const b = ngramHashes(ngramUnits('ONE two, three four five!'), 3);
    expect([...a]).toEqual([...b]);
    expect(a).toHaveLength(3);
    expect(ngramHashes(ngramUnits('one two'), 3)).toHaveLength(0);
    expect(new Set(a).size).toBe(3);
  });

  it('never lets a character n-gram collide with a word n-gram', () => {
    const units = ngramUnits('a b c');
    const asChars = ngramHashes({ ...units, mode: 'char' }, 3);
    const asWords = ngramHashes({ ...units, mode: 'word' }, 3);
    expect(asChars[0]).not.toBe(asWords[0]);
  });
});
