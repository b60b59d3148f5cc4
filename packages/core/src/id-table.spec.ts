import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdTable } from './id-table.ts';

describe('IdTable', () => {
  it('numbers ids in the order they were first added, as a Map would', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 12 }), { maxLength: 3_000 }), (ids) => {
        const table = new IdTable();
        const reference = new Map<string, number>();
        for (const id of ids) {
          if (!reference.has(id)) reference.set(id, reference.size);
          expect(table.add(id)).toBe(reference.get(id));
        }
        expect(table.size).toBe(reference.size);
        for (const [id, ordinal] of reference) expect(table.get(id)).toBe(ordinal);
        expect(table.get('\u0000not added')).toBe(reference.get('\u0000not added') ?? -1);
      }),
      { numRuns: 100 },
    );
  });

  it('keeps a million ids apart in 16 MiB (a Set of the same strings ~50), and answers for another table by ordinal', () => {
    const table = new IdTable();
    for (let i = 0; i < 1_000_000; i++) table.add(`cand-${i.toString(16)}`);
    expect(table.size).toBe(1_000_000);
    expect(table.get('cand-0')).toBe(0);
    expect(table.get(`cand-${(999_999).toString(16)}`)).toBe(999_999);
    expect(table.has('cand-f4240')).toBe(false); // 1,000,000
    expect(table.bytes).toBeLessThanOrEqual(16 * 1024 * 1024);

    const other = new IdTable();
    other.add('cand-ff');
    other.add('elsewhere');
    expect(table.hasOrdinalOf(other, 0)).toBe(true);
    expect(table.hasOrdinalOf(other, 1)).toBe(false);
    table.clear();
    expect(table.size).toBe(0);
    expect(table.has('cand-0')).toBe(false);
  });

  it('numbers 64-bit keys given as two halves the same way, telling apart keys equal in one half', () => {
    const table = new IdTable();
    expect(table.addKey(0, 7)).toBe(0);
    expect(table.addKey(1, 7)).toBe(1);
    expect(table.addKey(7, 0)).toBe(2);
    expect(table.addKey(0, 7)).toBe(0);
    // Halves are read as unsigned 32-bit: -1 and 0xffffffff are one key.
    expect(table.addKey(-1, 0xffffffff)).toBe(3);
    expect(table.getKey(0xffffffff, -1)).toBe(3);
    expect([table.getKey(1, 7), table.getKey(7, 1), table.size]).toEqual([1, -1, 4]);
  });
});
