import type { Thresholds, VerdictRule } from './judge-config.ts';
import type { Verdict } from './judge-reply.ts';

const STRICTNESS: Record<Verdict, number> = { reject: 0, repair: 1, accept: 2 };

/** The verdict the thresholds give a score. */
export function verdictForScore(score: number, thresholds: Thresholds): Verdict {
  if (score >= thresholds.accept) return 'accept';
  if (score >= thresholds.repair) return 'repair';
  return 'reject';
}

/**
 * The judge's final verdict. The thresholds turn the score into a verdict;
 * with the `stricter` rule the model's own verdict can only make it stricter
 * (a 4 the model wants repaired is repaired; a 2 it calls "accept" is still
 * repaired), so a lenient model verdict never lets a low score through.
 *
 * @example
 * ```ts
 * decideVerdict(5, 'repair', { accept: 4, repair: 2 }, 'stricter'); // 'repair'
 * decideVerdict(5, 'repair', { accept: 4, repair: 2 }, 'score');    // 'accept'
 * ```
 */
export function decideVerdict(
  score: number,
  modelVerdict: Verdict,
  thresholds: Thresholds,
  rule: VerdictRule,
): Verdict {
  const byScore = verdictForScore(score, thresholds);
  if (rule === 'score') return byScore;
  return STRICTNESS[modelVerdict] < STRICTNESS[byScore] ? modelVerdict : byScore;
}
