import { describe, expect, it } from 'vitest';
import { decideVerdict, verdictForScore } from './verdict.ts';

const t = { accept: 4, repair: 2 };

describe('verdicts', () => {
  it('maps scores to verdicts with the thresholds', () => {
    expect([1, 2, 3, 4, 5].map((s) => verdictForScore(s, t))).toEqual([
      'reject',
      'repair',
      'repair',
      'accept',
      'accept',
    ]);
    expect([1, 2, 3, 4, 5].map((s) => verdictForScore(s, { accept: 5, repair: 3 }))).toEqual([
      'reject',
      'reject',
      'repair',
      'repair',
      'accept',
    ]);
  });

  it('takes the stricter of the score and the model verdict', () => {
    expect(decideVerdict(5, 'repair', t, 'stricter')).toBe('repair');
    expect(decideVerdict(4, 'reject', t, 'stricter')).toBe('reject');
    expect(decideVerdict(2, 'accept', t, 'stricter')).toBe('repair');
    expect(decideVerdict(1, 'repair', t, 'stricter')).toBe('reject');
    expect(decideVerdict(4, 'accept', t, 'stricter')).toBe('accept');
  });

  it('ignores the model verdict with the score rule', () => {
    expect(decideVerdict(5, 'reject', t, 'score')).toBe('accept');
    expect(decideVerdict(3, 'accept', t, 'score')).toBe('repair');
  });
});
