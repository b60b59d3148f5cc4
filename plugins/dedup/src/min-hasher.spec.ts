import { describe, expect, it } from 'vitest';
import { mulberry32 } from './hash32.ts';
import { estimateJaccard, jaccard, MinHasher } from './min-hasher.ts';

const mh = new MinHasher({ ngram: 3, numPerm: 128, bands: 32, rows: 4 });

function estimate(a: string, b: string): number {
  return estimateJaccard(mh.sketchBits(mh.signature(a)), 0, mh.sketchBits(mh.signature(b)), 0, 128);
}

function randomText(next: () => number, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += String.fromCharCode(0x4e00 + (next() % 2000));
  return s;
}

describe('MinHasher', () => {
  it('gives identical texts identical signatures and band hashes', () => {
    const a = mh.signature('請求書から金額を抽出してください');
    const b = mh.signature('請求書から金額を抽出してください');
    expect(a).toEqual(b);
    expect(mh.bandHashes(a)).toEqual(mh.bandHashes(b));
    expect(estimate('請求書から金額を抽出', '請求書から金額を抽出')).toBe(1);
  });

  it('estimates Jaccard within sampling error on pairs of known overlap', () => {
    const next = mulberry32(3);
    const errors: number[] = [];
    for (let t = 0; t < 200; t++) {
      const shared = randomText(next, 40 + (t % 60));
      const a = shared + randomText(next, 10 + (t % 50));
      const b = shared + randomText(next, 10 + (t % 50));
      errors.push(estimate(a, b) - jaccard(mh.shingleSet(a), mh.shingleSet(b)));
    }
    const mean = errors.reduce((x, y) => x + y, 0) / errors.length;
    const worst = Math.max(...errors.map(Math.abs));
    // One estimate has a standard error of at most 0.045 with 128 values.
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(worst).toBeLessThan(0.2);
  });

  it('gives unrelated texts a low estimate', () => {
    expect(
      estimate('次の会議の議事録を要約してください', 'Write a polite reply to the customer'),
    ).toBeLessThan(0.1);
  });

  it('handles texts shorter than the n-gram and empty texts', () => {
    expect(mh.signature('請求')).toHaveLength(128);
    expect(mh.shingleSet('請求').size).toBe(1);
    expect(mh.shingleSet('').size).toBe(0);
    expect(estimate('', '')).toBe(1);
  });

  it('treats a character outside the BMP as one code point', () => {
    expect(mh.shingleSet('𠮷野家').size).toBe(1);
  });

  it('rejects bands × rows larger than numPerm', () => {
    expect(() => new MinHasher({ ngram: 3, numPerm: 64, bands: 32, rows: 4 })).toThrow(RangeError);
  });

  it('computes the same signature with a numPerm that is not a multiple of 4', () => {
    const odd = new MinHasher({ ngram: 3, numPerm: 130, bands: 32, rows: 4 });
    const sig = odd.signature('請求書から金額を抽出してください');
    expect(sig.subarray(0, 128)).toEqual(mh.signature('請求書から金額を抽出してください'));
    expect(sig[129]).not.toBe(0x7fffffff);
  });
});
