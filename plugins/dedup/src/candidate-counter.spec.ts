import { describe, expect, it } from 'vitest';
import { CandidateCounter } from './candidate-counter.ts';

describe('CandidateCounter', () => {
  it('counts per record and starts from zero after reset', () => {
    const c = new CandidateCounter();
    c.reset();
    expect([c.add(5), c.add(5), c.add(9), c.add(5)]).toEqual([1, 2, 1, 3]);
    c.reset();
    expect(c.add(5)).toBe(1);
  });

  it('keeps counts while growing past its initial size', () => {
    const c = new CandidateCounter();
    c.reset();
    for (let r = 0; r < 10_000; r++) c.add(r);
    for (let r = 0; r < 10_000; r += 501) expect(c.add(r)).toBe(2);
  });
});
