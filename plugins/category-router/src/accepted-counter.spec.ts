import { makeRecord } from '@tane/testkit';
import { describe, expect, it } from 'vitest';
import { AcceptedCounter, countAccepted } from './accepted-counter.ts';

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

async function* toAsync<T>(items: T[]): AsyncIterable<T> {
  yield* items;
}
