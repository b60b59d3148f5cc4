import { describe, expect, it } from 'vitest';
import { BandTable } from './band-table.ts';

function lookup(table: BandTable, key: number): number[] {
  const out: number[] = [];
  table.lookup(key, (r) => out.push(r));
  return out.sort((a, b) => a - b);
}

/** A rank per record that is not in record order. */
const rankOf = (record: number): number => Math.imul(record + 1, 0x9e3779b1) >>> 0;

describe('BandTable', () => {
  it('finds every record stored under a band hash, and only those', () => {
    const table = new BandTable(4, 16);
    table.insert(111, 0 * 4 + 2, rankOf(0));
    table.insert(111, 5 * 4 + 1, rankOf(5));
    table.insert(222, 7 * 4 + 0, rankOf(7));
    expect(lookup(table, 111)).toEqual([0, 5]);
    expect(lookup(table, 222)).toEqual([7]);
    expect(lookup(table, 333)).toEqual([]);
  });

  it('keeps every entry when it grows', () => {
    const table = new BandTable(32, 16);
    for (let r = 0; r < 5000; r++) table.insert((r * 2654435761) | 0, r * 32, rankOf(r));
    expect(table.size).toBe(5000);
    for (let r = 0; r < 5000; r += 97) expect(lookup(table, (r * 2654435761) | 0)).toEqual([r]);
  });
});

describe('BandTable with a bucket cap', () => {
  it('keeps the records of smallest rank in a full bucket', () => {
    const table = new BandTable(4, 16, 8);
    for (let r = 0; r < 40; r++) table.insert(7, r * 4 + 1, rankOf(r));
    const expected = Array.from({ length: 40 }, (_, r) => r)
      .sort((a, b) => rankOf(a) - rankOf(b))
      .slice(0, 8)
      .sort((a, b) => a - b);
    expect(lookup(table, 7)).toEqual(expected);
    expect(table.size).toBe(8);
    expect(table.droppedEntries).toBe(32);
  });

  it('holds the same records whatever order they arrive in', () => {
    // Record numbers follow arrival, so the same content is a different
    // record number in each order; compare by rank.
    const ranks = Array.from({ length: 500 }, (_, i) => rankOf(i * 7));
    const held = (order: number[]): number[] => {
      const table = new BandTable(32, 16, 16);
      order.forEach((content, record) => {
        table.insert(99, record * 32 + 5, ranks[content]!);
        // Other buckets in between, so the table grows at different points.
        for (let b = 0; b < 31; b++)
          table.insert((content * 31 + b + 1000) | 0, record * 32 + b, ranks[content]!);
      });
      return lookup(table, 99)
        .map((record) => ranks[order[record]!]!)
        .sort((a, b) => a - b);
    };
    const forward = Array.from({ length: 500 }, (_, i) => i);
    const shuffled = [...forward].sort((a, b) => rankOf(a * 13) - rankOf(b * 13));
    expect(held(forward)).toHaveLength(16);
    expect(held(shuffled)).toEqual(held(forward));
    expect(held(forward)).toEqual([...ranks].sort((a, b) => a - b).slice(0, 16));
  });

  it('visits at most cap entries however many share a band hash', () => {
    const table = new BandTable(32, 16, 64);
    for (let r = 0; r < 10_000; r++) table.insert(42, r * 32 + 3, rankOf(r));
    let visits = 0;
    table.lookup(42, () => visits++);
    expect(visits).toBe(64);
  });

  it('leaves buckets below the cap whole after growth', () => {
    const table = new BandTable(8, 16, 4);
    for (let r = 0; r < 6000; r++) table.insert(1000 + Math.floor(r / 3), r * 8, rankOf(r));
    for (let r = 6000; r < 6100; r++) table.insert(-5, r * 8 + 7, rankOf(r));
    for (let b = 0; b < 2000; b += 37) expect(lookup(table, 1000 + b)).toEqual([3 * b, 3 * b + 1, 3 * b + 2]);
    expect(lookup(table, -5)).toHaveLength(4);
  });

  it('refuses a cap that is not a positive integer', () => {
    expect(() => new BandTable(4, 16, 0)).toThrow(RangeError);
    expect(() => new BandTable(4, 16, 2.5)).toThrow(/integer from 1/);
  });
});
