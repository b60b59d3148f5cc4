import { stableHash32 } from '@tane/core';
import type { FewShotExample } from './example-pool.ts';
import { seededRandom } from './seeded-random.ts';

/** How many few-shot examples a task gets, and the wanted mix. */
export interface FewShotMix {
  k: number;
  seeds: number;
  generated: number;
}

/**
 * Picks the few-shot examples of one task: `mix.seeds` seeds and
 * `mix.generated` accepted examples (Self-Instruct: 6 + 2 of 8). When one kind
 * runs short, the other fills the gap, up to `mix.k` in all.
 *
 * The choice is a uniform random subset seeded by a hash of `taskId`: the same
 * task id and the same pool always give the same examples in the same order,
 * and over many tasks every example is used about equally often.
 *
 * @example
 * ```ts
 * const fewShot = chooseFewShot(task.id, { seeds: pool.seeds(cat), generated: pool.generated(cat) }, {
 *   k: 8, seeds: 6, generated: 2,
 * });
 * ```
 */
export function chooseFewShot(
  taskId: string,
  pool: { seeds: readonly FewShotExample[]; generated: readonly FewShotExample[] },
  mix: FewShotMix,
): FewShotExample[] {
  let nSeeds = Math.min(mix.seeds, pool.seeds.length, mix.k);
  let nGenerated = Math.min(mix.generated, pool.generated.length, mix.k - nSeeds);
  let spare = mix.k - nSeeds - nGenerated;
  const extraSeeds = Math.max(0, Math.min(spare, pool.seeds.length - nSeeds));
  nSeeds += extraSeeds;
  spare -= extraSeeds;
  nGenerated += Math.max(0, Math.min(spare, pool.generated.length - nGenerated));

  const random = seededRandom(stableHash32(taskId));
  const chosen = [...sample(pool.seeds, nSeeds, random), ...sample(pool.generated, nGenerated, random)];
  // Self-Instruct shuffles the prompt examples so seeds are not always first.
  for (let i = chosen.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [chosen[i], chosen[j]] = [chosen[j]!, chosen[i]!];
  }
  return chosen;
}

/** `m` distinct items, uniformly (Floyd's algorithm: O(m), whatever the pool size). */
function sample<T>(items: readonly T[], m: number, random: () => number): T[] {
  const n = items.length;
  const picked = new Set<number>();
  for (let j = n - m; j < n; j++) {
    const t = Math.floor(random() * (j + 1));
    picked.add(picked.has(t) ? j : t);
  }
  return [...picked].map((i) => items[i]!);
}
