import {
  applicableVerifiableDefects,
  plantVerifiableDefect,
  repairVerifiableDefect,
  SeededRandom,
} from '@tane/llm-sim';
import { describe, expect, it } from 'vitest';
import { verifyExample } from '../src/index.ts';
import { declaredSeeds } from './example-seeds.ts';

const ROUNDS = 8;

describe('verifier on the example seeds and on defects the simulator plants', () => {
  const seeds = declaredSeeds();

  it('rejects none of the example seeds of the categories that declare checks', () => {
    expect(seeds.length).toBeGreaterThanOrEqual(80);
    const failed = seeds
      .map((s) => ({ id: s.id, v: verifyExample(s.example, s.verify) }))
      .filter((r) => r.v.status === 'failed')
      .map((r) => `${r.id}: ${r.v.checks.find((c) => c.status === 'failed')?.error}`);
    expect(failed).toEqual([]);
  });

  it('catches at least 95% of planted defects, and the repair from its evidence verifies again', () => {
    const byKind: Record<string, { planted: number; caught: number; repaired: number }> = {};
    const missed: string[] = [];
    for (const s of seeds) {
      for (const kind of applicableVerifiableDefects(s.example, s.category)) {
        for (let round = 0; round < ROUNDS; round++) {
          const planted = plantVerifiableDefect(s.example, kind, new SeededRandom(s.id, kind, round));
          if (planted.output === s.example.output) continue;
          const k = (byKind[kind] ??= { planted: 0, caught: 0, repaired: 0 });
          k.planted++;
          const v = verifyExample(planted, s.verify);
          if (v.status !== 'failed') {
            missed.push(`${s.id} ${kind}`);
            continue;
          }
          k.caught++;
          const evidence = v.checks
            .filter((c) => c.status === 'failed')
            .map((c) => `verifier (${c.check}): ${c.error}`);
          const fixed = repairVerifiableDefect(planted, evidence);
          if (fixed && verifyExample(fixed, s.verify).status !== 'failed') k.repaired++;
        }
      }
    }
    const planted = Object.values(byKind).reduce((n, k) => n + k.planted, 0);
    const caught = Object.values(byKind).reduce((n, k) => n + k.caught, 0);
    expect(Object.keys(byKind).sort()).toEqual([
      'missing-key',
      'sql-syntax',
      'wrong-output-language',
      'wrong-total',
    ]);
    expect(planted).toBeGreaterThan(200);
    expect(caught / planted, `missed: ${missed.slice(0, 10).join(', ')}`).toBeGreaterThanOrEqual(0.95);
    // The simulated repairer reads the evidence; a total written as a percentage it cannot map back.
    for (const k of Object.values(byKind)) expect(k.repaired / k.caught).toBeGreaterThanOrEqual(0.85);
  });
});
