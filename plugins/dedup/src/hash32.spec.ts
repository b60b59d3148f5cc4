import { describe, expect, it } from 'vitest';
import { hashString32, hashString52, mulberry32 } from './hash32.ts';

describe('hashString32', () => {
  it('is stable and depends on the seed', () => {
    expect(hashString32('請求書', 1)).toBe(hashString32('請求書', 1));
    expect(hashString32('請求書', 1)).not.toBe(hashString32('請求書', 2));
  });

  it('has no collisions on 100,000 short distinct strings', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 100_000; i++) seen.add(hashString32(`k${i}`, 7));
    expect(seen.size).toBe(100_000);
  });
});

describe('hashString52', () => {
  it('returns a safe integer', () => {
    const h = hashString52('text');
    expect(Number.isSafeInteger(h)).toBe(true);
    expect(h).toBeGreaterThanOrEqual(0);
  });
});

describe('mulberry32', () => {
  it('repeats its sequence for the same seed', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
  });
});
