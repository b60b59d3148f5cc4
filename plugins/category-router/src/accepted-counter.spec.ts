import { makeRecord } from '@tane/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AcceptedByRound, AcceptedCounter, countAccepted } from './accepted-counter.ts';

const accepted = (category: string, id: string) =>
  makeRecord({ id, category, type: 'candidate', data: { instruction: 'i', input: '', output: 'o' } });

describe('AcceptedCounter', () => {
  it('counts a record seen twice once', async () => {
    const records = [accepted('a', '1'), accepted('a', '2'), accepted('a', '1'), accepted('b', '1')];
    expect(await countAccepted(toAsync(records))).toEqual({ a: 2, b: 1 });
  });

  it('stops at a category’s cap', () => {
    const counter = new AcceptedCounter({ a: 2, zero: 0 });
    expect(counter.reachedCap('zero')).toBe(true);
    counter.add(accepted('a', '1'));
    expect(counter.reachedCap('a')).toBe(false);
    counter.add(accepted('a', '2'));
    counter.add(accepted('a', '3'));
    expect(counter.count('a')).toBe(2);
    expect(counter.reachedCap('a')).toBe(true);
    expect(counter.counts()).toEqual({ a: 2, zero: 0 });
  });
});

describe('AcceptedByRound', () => {
  it('gives what countAccepted gives for every beforeRound, however the stream is cut into pieces', async () => {
    const row = fc.record({
      category: fc.constantFrom('a', 'b', 'c'),
      id: fc.constantFrom('1', '2', '3', '4', '5', '6'),
      round: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(row, { maxLength: 40 }), fc.array(fc.nat(40)), async (rows, cuts) => {
        // an id determines its content, so a repeated id keeps the round it first had
        const roundOf = new Map<string, number | undefined>();
        const records = rows.map((r) => {
          const key = `${r.category}/${r.id}`;
          if (!roundOf.has(key)) roundOf.set(key, r.round);
          const round = roundOf.get(key);
          return makeRecord({
            id: r.id,
            category: r.category,
            type: 'candidate',
            data: { instruction: 'i', input: '', output: 'o' },
            meta: round === undefined ? {} : { generation: { round } },
          });
        });
        const tally = new AcceptedByRound();
        let at = 0;
        for (const cut of [...cuts.sort((x, y) => x - y), records.length]) {
          for (; at < Math.min(cut, records.length); at++) tally.add(records[at]!);
          for (const before of [undefined, 0, 1, 2, 5]) {
            const opts = before === undefined ? {} : { beforeRound: before };
            expect(tally.counts(opts)).toEqual(await countAccepted(toAsync(records.slice(0, at)), opts));
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});

async function* toAsync<T>(items: T[]): AsyncIterable<T> {
  yield* items;
}
