import { describe, expect, it } from 'vitest';
import { chooseFewShot } from './choose-few-shot.ts';
import type { FewShotExample } from './example-pool.ts';

const examples = (source: FewShotExample['source'], n: number): FewShotExample[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `${source}-${String(i).padStart(3, '0')}`,
    source,
    instruction: `instruction ${i}`,
    input: '',
    output: `output ${i}`,
  }));

const mix = { k: 8, seeds: 6, generated: 2 };
const seeds = examples('seed', 10);
const generated = examples('generated', 40);

function tally(picks: FewShotExample[][], source: FewShotExample['source']): number[] {
  const counts = new Map<string, number>();
  for (const pick of picks)
    for (const e of pick) if (e.source === source) counts.set(e.id, (counts.get(e.id) ?? 0) + 1);
  return [...counts.values()];
}

describe('chooseFewShot', () => {
  it('gives the same examples in the same order for the same task id and pool', () => {
    const a = chooseFewShot('task-1', { seeds, generated }, mix);
    expect(chooseFewShot('task-1', { seeds, generated }, mix)).toEqual(a);
    expect(chooseFewShot('task-2', { seeds, generated }, mix)).not.toEqual(a);
  });

  it('takes 6 seeds and 2 generated examples, all distinct, when there are enough of both', () => {
    for (const id of ['a', 'b', 'c', 'd']) {
      const pick = chooseFewShot(id, { seeds, generated }, mix);
      expect(pick.filter((e) => e.source === 'seed')).toHaveLength(6);
      expect(pick.filter((e) => e.source === 'generated')).toHaveLength(2);
      expect(new Set(pick.map((e) => e.id)).size).toBe(8);
    }
  });

  it('fills with seeds while there are not enough generated examples yet', () => {
    expect(chooseFewShot('t', { seeds, generated: [] }, mix).map((e) => e.source)).toEqual(
      new Array(8).fill('seed'),
    );
    const one = chooseFewShot('t', { seeds, generated: generated.slice(0, 1) }, mix);
    expect(one.filter((e) => e.source === 'seed')).toHaveLength(7);
    expect(one.filter((e) => e.source === 'generated')).toHaveLength(1);
  });

  it('fills with generated examples when there are few seeds, and gives all it has when the pool is small', () => {
    const fewSeeds = chooseFewShot('t', { seeds: seeds.slice(0, 3), generated }, mix);
    expect(fewSeeds.filter((e) => e.source === 'seed')).toHaveLength(3);
    expect(fewSeeds.filter((e) => e.source === 'generated')).toHaveLength(5);
    expect(
      chooseFewShot('t', { seeds: seeds.slice(0, 2), generated: generated.slice(0, 1) }, mix),
    ).toHaveLength(3);
  });

  it('does not always put the seeds first', () => {
    const positions = new Set<number>();
    for (let i = 0; i < 50; i++) {
      const pick = chooseFewShot(`task-${i}`, { seeds, generated }, mix);
      positions.add(pick.findIndex((e) => e.source === 'generated'));
    }
    expect(positions.size).toBeGreaterThan(3);
  });

  it('uses every seed and every generated example about equally over many tasks', () => {
    const fewGenerated = generated.slice(0, 10);
    const picks = Array.from({ length: 1000 }, (_, i) =>
      chooseFewShot(`run-1/task-${i}`, { seeds, generated: fewGenerated }, mix),
    );
    const seedUse = tally(picks, 'seed');
    expect(seedUse).toHaveLength(seeds.length);
    const seedMean = (1000 * 6) / seeds.length;
    for (const n of seedUse) expect(Math.abs(n - seedMean)).toBeLessThanOrEqual(seedMean * 0.3);

    const generatedUse = tally(picks, 'generated');
    expect(generatedUse).toHaveLength(fewGenerated.length);
    const generatedMean = (1000 * 2) / fewGenerated.length;
    for (const n of generatedUse)
      expect(Math.abs(n - generatedMean)).toBeLessThanOrEqual(generatedMean * 0.3);
  });
});
