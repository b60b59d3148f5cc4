import { describe, expect, it } from 'vitest';
import { LengthStats, niceStep } from './length-stats.ts';

describe('LengthStats', () => {
  it('gives percentiles and a mean', () => {
    const s = new LengthStats();
    for (let i = 1; i <= 100; i++) s.add(i);
    expect(s.summary()).toEqual({ count: 100, mean: 50.5, p50: 50, p90: 90, p99: 99, max: 100 });
  });

  it('bins every value once, with an open last bin for outliers', () => {
    const s = new LengthStats();
    for (let i = 0; i < 2000; i++) s.add(100 + (i % 100));
    for (let i = 0; i < 5; i++) s.add(50_000);
    const bins = s.histogram(20);
    expect(bins.reduce((a, b) => a + b.count, 0)).toBe(2005);
    expect(bins.at(-1)).toMatchObject({ to: Number.POSITIVE_INFINITY, count: 5 });
    expect(bins.length).toBeLessThan(25);
    // Bins start near the shortest value, not at 0.
    expect(bins[0]!.from).toBe(100);
  });

  it('grows past its first buffer and handles empty input', () => {
    const s = new LengthStats();
    expect(s.histogram()).toEqual([]);
    expect(s.summary().count).toBe(0);
    for (let i = 0; i < 5000; i++) s.add(i);
    expect(s.summary().max).toBe(4999);
  });

  it('picks round bin widths', () => {
    expect([0.3, 1, 3, 7, 12, 180, 2100].map(niceStep)).toEqual([1, 1, 5, 10, 20, 200, 5000]);
  });
});
