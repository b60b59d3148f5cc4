import { makeRecord } from '@tane/testkit';
import { describe, expect, it } from 'vitest';
import { ExamplePool } from './example-pool.ts';

const seed = (id: string, output = `output ${id}`, category = 'qa') =>
  makeRecord({ id, type: 'seed', category, data: { instruction: `instruction ${id}`, input: '', output } });
const accepted = (id: string, category = 'qa') =>
  makeRecord({
    id,
    type: 'candidate',
    category,
    data: { instruction: `instruction ${id}`, output: `output ${id}` },
  });

describe('ExamplePool', () => {
  it('lists seeds by id whatever order they arrived in, the last version of an id winning', () => {
    const pool = new ExamplePool({ maxGenerated: 10 });
    for (const id of ['qa-003', 'qa-001', 'qa-002']) pool.addSeed(seed(id));
    expect(pool.addSeed(seed('qa-001', 'corrected'))).toBe('added');
    expect(pool.seeds('qa').map((s) => s.id)).toEqual(['qa-001', 'qa-002', 'qa-003']);
    expect(pool.seeds('qa')[0]).toEqual({
      id: 'qa-001',
      source: 'seed',
      instruction: 'instruction qa-001',
      input: '',
      output: 'corrected',
    });
    expect(pool.seeds('other')).toEqual([]);
  });

  it('refuses records that are not usable examples', () => {
    const pool = new ExamplePool({ maxGenerated: 10 });
    expect(pool.addSeed(accepted('not-a-seed'))).toBe('unusable');
    expect(
      pool.addSeed(makeRecord({ id: 'x', type: 'seed', category: 'qa', data: { instruction: 'i' } })),
    ).toBe('unusable');
    expect(pool.addGenerated(makeRecord({ id: 'y', category: 'qa', data: 'text' }))).toBe('unusable');
    expect(pool.addGenerated(accepted('a1'))).toBe('added');
    expect(pool.addGenerated(accepted('a1'))).toBe('unchanged');
    expect(pool.generated('qa').map((g) => ({ id: g.id, source: g.source, input: g.input }))).toEqual([
      { id: 'a1', source: 'generated', input: '' },
    ]);
  });

  it('keeps the same bounded sample of accepted examples whatever the arrival order', () => {
    const ids = Array.from({ length: 200 }, (_, i) => `accepted-${i}`);
    const forward = new ExamplePool({ maxGenerated: 20 });
    const backward = new ExamplePool({ maxGenerated: 20 });
    for (const id of ids) forward.addGenerated(accepted(id));
    for (const id of [...ids].reverse()) backward.addGenerated(accepted(id));
    expect(forward.generated('qa')).toHaveLength(20);
    expect(backward.generated('qa')).toEqual(forward.generated('qa'));
    // Re-reading the topic from the start changes nothing.
    for (const id of ids) expect(forward.addGenerated(accepted(id))).toBe('unchanged');
    expect(forward.sizes()).toEqual({ qa: { seeds: 0, generated: 20 } });
  });

  it('keeps no accepted examples with maxGenerated 0', () => {
    const pool = new ExamplePool({ maxGenerated: 0 });
    expect(pool.addGenerated(accepted('a1'))).toBe('unchanged');
    expect(pool.generated('qa')).toEqual([]);
  });
});
