import { describe, expect, it } from 'vitest';
import { GroupCommit, SerialQueue } from './group-commit.ts';

describe('GroupCommit', () => {
  it('resolves add only after the group containing the item is committed', async () => {
    const committed: number[][] = [];
    const group = new GroupCommit<number>({
      maxItems: 3,
      maxDelayMs: 10_000,
      async commit(items) {
        committed.push(items);
      },
    });
    let resolved = 0;
    const adds = [1, 2, 3, 4].map((n) => group.add(n).then(() => resolved++));
    await Promise.all(adds.slice(0, 3));
    expect(committed).toEqual([[1, 2, 3]]);
    expect(resolved).toBe(3);
    expect(group.waiting).toBe(1);
    await group.flush();
    await adds[3];
    expect(committed).toEqual([[1, 2, 3], [4]]);
  });

  it('commits a partial group after maxDelayMs', async () => {
    const committed: string[][] = [];
    const group = new GroupCommit<string>({
      maxItems: 100,
      maxDelayMs: 5,
      async commit(items) {
        committed.push(items);
      },
    });
    await Promise.all([group.add('a'), group.add('b')]);
    expect(committed).toEqual([['a', 'b']]);
  });

  it('fails every item of a group whose commit throws, and keeps working', async () => {
    let fail = true;
    const group = new GroupCommit<number>({
      maxItems: 2,
      maxDelayMs: 5,
      async commit() {
        if (fail) throw new Error('disk full');
      },
    });
    const results = await Promise.allSettled([group.add(1), group.add(2)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    await expect(group.add(3)).resolves.toBeUndefined();
  });
});

describe('SerialQueue', () => {
  it('runs functions one at a time in call order, even after a failure', async () => {
    const q = new SerialQueue();
    const log: string[] = [];
    const slow = q.run(async () => {
      await new Promise((r) => setTimeout(r, 10));
      log.push('a');
    });
    const failing = q.run(async () => {
      log.push('b');
      throw new Error('x');
    });
    const last = q.run(async () => {
      log.push('c');
    });
    await slow;
    await expect(failing).rejects.toThrow('x');
    await last;
    expect(log).toEqual(['a', 'b', 'c']);
  });
});
