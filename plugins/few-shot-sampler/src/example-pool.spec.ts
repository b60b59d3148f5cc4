import { stableHash32 } from '@tane/core';
import { makeRecord } from '@tane/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExamplePool } from './example-pool.ts';

const seed = (id: string, output = `output ${id}`, category = 'qa') =>
  makeRecord({ id, type: 'seed', category, data: { instruction: `instruction ${id}`, input: '', output } });
const accepted = (id: string, category = 'qa', round?: number) =>
  makeRecord({
    id,
    type: 'candidate',
    category,
    data: { instruction: `instruction ${id}`, output: `output ${id}` },
    ...(round === undefined ? {} : { meta: { generation: { round } } }),
  });

/** What a pool that kept every example would offer: the lowest id hashes of rounds before `before`. */
function reference(rows: { id: string; round: number }[], limit: number, before: number): string[] {
  const seen = new Map<string, number>();
  for (const row of rows) if (!seen.has(row.id)) seen.set(row.id, row.round);
  return [...seen]
    .filter(([, round]) => round < before)
    .map(([id]) => ({ id, rank: stableHash32(id) }))
    .sort((a, b) => a.rank - b.rank || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, limit)
    .map((r) => r.id);
}

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

  it('offers, for every round, what a pool keeping every example would, whatever the arrival order', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ id: fc.integer({ min: 0, max: 400 }), round: fc.integer({ min: 0, max: 12 }) }),
          {
            maxLength: 400,
          },
        ),
        fc.integer({ min: 1, max: 8 }),
        (drawn, limit) => {
          // An id is one example with one round, as on the dataset topic; replays repeat it.
          const rounds = new Map<string, number>();
          const rows = drawn.map(({ id, round }) => {
            const key = `row-${id}`;
            if (!rounds.has(key)) rounds.set(key, round);
            return { id: key, round: rounds.get(key)! };
          });
          const pool = new ExamplePool({ maxGenerated: limit });
          const checkpoints = new Set([Math.floor(rows.length / 3), Math.floor((2 * rows.length) / 3)]);
          rows.forEach((row, n) => {
            pool.addGenerated(accepted(row.id, 'qa', row.round));
            if (!checkpoints.has(n)) return;
            for (let before = 0; before <= 14; before++) {
              expect(pool.generated('qa', before).map((g) => g.id)).toEqual(
                reference(rows.slice(0, n + 1), limit, before),
              );
            }
          });
          for (let before = 0; before <= 14; before++) {
            expect(pool.generated('qa', before).map((g) => g.id)).toEqual(reference(rows, limit, before));
          }
          expect(pool.generated('qa').map((g) => g.id)).toEqual(
            reference(rows, limit, Number.POSITIVE_INFINITY),
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps a bounded number of examples however many rounds a run has', () => {
    const limit = 100;
    const rounds = 40;
    const pool = new ExamplePool({ maxGenerated: limit });
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < 1_000; i++) pool.addGenerated(accepted(`r${round}-${i}`, 'qa', round));
      // What a task of the next round is offered is still the lowest of all rounds so far.
      expect(pool.generated('qa', round + 1)).toHaveLength(limit);
    }
    // Keeping the lowest `limit` of each round would hold rounds * limit = 4,000.
    const kept = pool.sizes().qa!.generated;
    expect(kept).toBeLessThanOrEqual(limit * (2 + Math.log(rounds)));
    expect(kept).toBeGreaterThanOrEqual(limit);
    // The ids of dropped examples are let go too: re-reading one adds it, and it is dropped again.
    const dropped = 'r39-0';
    const before = pool.generated('qa').map((g) => g.id);
    if (!before.includes(dropped)) {
      pool.addGenerated(accepted(dropped, 'qa', 39));
      expect(pool.generated('qa').map((g) => g.id)).toEqual(before);
    }
  });

  it('holds texts only for what the current and later rounds can be offered, and reads them back for a past round', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 12 }),
        (perRound, limit, pastRound) => {
          // Rounds arrive in order, each complete before the next starts (as tane generate plans them).
          const pool = new ExamplePool({ maxGenerated: limit });
          const rows: { id: string; round: number }[] = [];
          const byId = new Map<string, ReturnType<typeof accepted>>();
          perRound.forEach((n, round) => {
            for (let i = 0; i < n; i++) {
              const row = { id: `r${round}-${i}`, round };
              rows.push(row);
              const record = accepted(row.id, 'qa', round);
              byId.set(row.id, record);
              pool.addGenerated(record);
            }
            const current = round + 1;
            pool.releaseTexts(current);
            // What this round and any later one is offered is all in memory, unchanged.
            expect(pool.hasTexts('qa', current)).toBe(true);
            expect(pool.generated('qa', current).map((g) => g.id)).toEqual(reference(rows, limit, current));
            expect(pool.generated('qa')).toEqual(
              reference(rows, limit, Number.POSITIVE_INFINITY).map((id) => ({
                id,
                source: 'generated',
                instruction: `instruction ${id}`,
                input: '',
                output: `output ${id}`,
              })),
            );
            // Texts held: the current view and at most `limit` more of the newest round.
            const held = (pool.sizes().qa?.generated ?? 0) - pool.releasedTexts;
            expect(held).toBeLessThanOrEqual(2 * limit);
          });
          // A task of a past round: its texts come back from the rows, and it is offered what it was.
          const before = Math.min(pastRound, perRound.length);
          if (!pool.hasTexts('qa', before)) {
            expect(() => pool.generated('qa', before)).toThrow(/let go/);
            for (const record of byId.values()) pool.restoreTexts(record);
            expect(pool.releasedTexts).toBe(0);
          }
          expect(pool.generated('qa', before).map((g) => g.id)).toEqual(reference(rows, limit, before));
          expect(pool.generated('qa', before).every((g) => g.output === `output ${g.id}`)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
