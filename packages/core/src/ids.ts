import { createHash } from 'node:crypto';

/**
 * A stable id for a record derived from its parent: the same parent, stage and
 * index always give the same id, so a replay or a retry reproduces ids and
 * sinks can be idempotent.
 *
 * @example
 * ```ts
 * deriveId('task-7f3a', 'generator', 2); // 'c9d1…' (24 hex chars), the same on every run
 * ```
 */
export function deriveId(parentId: string, stage: string, index: number | string): string {
  return createHash('sha256').update(`${parentId}\u0000${stage}\u0000${index}`).digest('hex').slice(0, 24);
}

/** A stable id for content that has no parent (a seed without an id, a task of a run). */
export function contentId(...parts: (string | number)[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(String(p)).update('\u0000');
  return h.digest('hex').slice(0, 24);
}

/** A short stable hash of a string, as a number (for deterministic choices). */
export function stableHash32(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0);
}
