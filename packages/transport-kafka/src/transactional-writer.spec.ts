import { describe, expect, it } from 'vitest';
import { transactionalIdOf } from './transactional-writer.ts';

describe('transactionalIdOf', () => {
  it('is the same for the same group and source partition, and readable', () => {
    const id = transactionalIdOf({ group: 'tane.ja', topic: 'tane.tasks', partition: 3 });
    expect(id).toBe(transactionalIdOf({ group: 'tane.ja', topic: 'tane.tasks', partition: 3 }));
    expect(id).toMatch(/^tane-txn\.tane\.ja\.tane\.tasks\.3\.[0-9a-f]{8}$/);
  });

  it('differs for names that only look alike after the dots or the sanitising', () => {
    const ids = [
      transactionalIdOf({ group: 'a.b', topic: 'c', partition: 0 }),
      transactionalIdOf({ group: 'a', topic: 'b.c', partition: 0 }),
      transactionalIdOf({ group: 'a b', topic: 'c', partition: 0 }),
      transactionalIdOf({ group: 'a_b', topic: 'c', partition: 0 }),
      transactionalIdOf({ group: 'a_b', topic: 'c', partition: 1 }),
    ];
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids[2]).toMatch(/^tane-txn\.a_b\.c\.0\./);
  });
});
