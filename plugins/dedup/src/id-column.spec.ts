import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashString52 } from './hash32.ts';
import { FirstByKey, IdColumn } from './id-column.ts';

describe('IdColumn', () => {
  it('gives back every id at its position, whatever its characters and however it grew', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme', maxLength: 40 }), { maxLength: 3_000 }), (ids) => {
        const column = new IdColumn();
        for (const [i, id] of ids.entries()) expect(column.push(id)).toBe(i);
        expect(column.length).toBe(ids.length);
        for (const [i, id] of ids.entries()) expect(column.get(i)).toBe(id);
      }),
      { numRuns: 50 },
    );
  });

  it('refuses a position it does not have', () => {
    const column = new IdColumn();
    column.push('seed-1');
    expect(() => column.get(1)).toThrow(RangeError);
    expect(() => column.get(-1)).toThrow(RangeError);
  });
});

describe('FirstByKey', () => {
  it('keeps the first value of each 52-bit key, as a Map that is only set when absent would', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.oneof(fc.integer({ min: 0, max: 50 }), fc.string()), fc.nat()), {
          maxLength: 4_000,
        }),
        (pairs) => {
          const table = new FirstByKey();
          const reference = new Map<number, number>();
          for (const [k, value] of pairs) {
            // Small keys collide often; text hashes use all 52 bits (high halves too).
            const key = typeof k === 'number' ? k : hashString52(k);
            table.setIfAbsent(key, value);
            if (!reference.has(key)) reference.set(key, value);
          }
          expect(table.size).toBe(reference.size);
          for (const [key, value] of reference) expect(table.get(key)).toBe(value);
          expect(table.get(2 ** 52 - 1)).toBe(reference.get(2 ** 52 - 1));
          expect(table.get(0x100000000 + 7)).toBe(reference.get(0x100000000 + 7));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('tells apart keys that differ only in their high bits', () => {
    const table = new FirstByKey();
    table.setIfAbsent(7, 1);
    table.setIfAbsent(0x100000000 + 7, 2);
    table.setIfAbsent(0xfffff00000000 + 7, 3);
    table.setIfAbsent(7, 4);
    expect([table.get(7), table.get(0x100000000 + 7), table.get(0xfffff00000000 + 7), table.get(8)]).toEqual([
      1,
      2,
      3,
      undefined,
    ]);
  });
});
