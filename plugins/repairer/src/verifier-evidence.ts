import type { TaneRecord } from '@tane/core';

/** `feedback.score` of a repair asked for by the verifier before any judgement (the judge's repair band). */
export const VERIFIER_FAILED_SCORE = 2;

/**
 * The verifier's errors on a record whose last verification failed
 * (`meta.verification.status === 'failed'`), one line per failed check, as
 * `verifier (sql): the query does not run: near "FORM": syntax error`.
 * They go into the repair prompt's `feedback.reasons`, so the model sees the
 * concrete error a program found, not only the judge's opinion.
 *
 * @example
 * ```ts
 * verifierEvidence(record); // ['verifier (arithmetic): 228 * 100 is 22800, not 23800 (line: …)']
 * ```
 */
export function verifierEvidence(record: TaneRecord): string[] {
  const v = record.meta.verification;
  if (!v || typeof v !== 'object' || Array.isArray(v)) return [];
  const { status, checks } = v as { status?: unknown; checks?: unknown };
  if (status !== 'failed' || !Array.isArray(checks)) return [];
  const out: string[] = [];
  for (const c of checks) {
    if (!c || typeof c !== 'object') continue;
    const { check, status: s, error } = c as Record<string, unknown>;
    if (s === 'failed' && typeof error === 'string') out.push(`verifier (${String(check)}): ${error}`);
  }
  return out;
}
