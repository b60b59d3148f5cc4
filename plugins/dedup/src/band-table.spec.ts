import { describe, expect, it } from 'vitest';
import { BandTable } from './band-table.ts';

function lookup(table: BandTable, key: number): number[] {
  const out: number[] = [];
  table.lookup(key, (r) => out.push(r));
  return out.sort((a, b) => a - b);
}

describe('BandTable', () => {
  it('finds every record stored under a band hash, and only those', () => {
    const table = new BandTable(4, 16);
    table.insert(111, 0 * 4 + 2);
    table.insert(111, 5 * 4 + 1);
    table.insert(222, 7 * 4 + 0);
    expect(lookup(table, 111)).toEqual([0, 5]);
    expect(lookup(table, 222)).toEqual([7]);
    expect(lookup(table, 333)).toEqual([]);
  });

  it('keeps every entry when it grows', () => {
    const table = new BandTable(32, 16);
    for (let r = 0; r < 5000; r++) table.insert((r * 2654435761) | 0, r * 32);
    expect(table.size).toBe(5000);
    for (let r = 0; r < 5000; r += 97) expect(lookup(table, (r * 2654435761) | 0)).toEqual([r]);
  });
});
