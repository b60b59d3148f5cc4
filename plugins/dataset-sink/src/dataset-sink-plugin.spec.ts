import { describe, expect, it } from 'vitest';
import { publishGap } from './dataset-sink-plugin.ts';

describe('publishGap', () => {
  it('waits publishIntervalMs, or 19 times the last update on a folder large enough to take long', () => {
    // A small folder: the interval rules.
    expect(publishGap(60_000, 400)).toBe(60_000);
    // 200,000 rows: a 40-s update is followed by at least 760 s of work, so updates stay ≤ 5%.
    const gap = publishGap(60_000, 40_000);
    expect(gap).toBe(760_000);
    expect(40_000 / (40_000 + gap)).toBeLessThanOrEqual(0.05);
    // 0 is "at every idle flush", as asked.
    expect(publishGap(0, 40_000)).toBe(0);
  });
});
