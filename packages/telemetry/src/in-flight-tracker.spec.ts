import { describe, expect, it } from 'vitest';
import { InFlightTracker } from './in-flight-tracker.ts';

describe('InFlightTracker', () => {
  it('counts consumed records until a commit passes them', () => {
    const t = new InFlightTracker();
    for (const o of [0, 1, 2, 3]) t.consumed('tasks', 0, o);
    t.consumed('tasks', 1, 10);
    expect(t.byTopic().get('tasks')).toBe(5);
    t.committed('tasks', 0, 2);
    expect(t.byTopic().get('tasks')).toBe(3);
    t.committed('tasks', 1, 11);
    t.committed('tasks', 0, 4);
    expect(t.byTopic().get('tasks')).toBe(0);
    expect(t.committedOffsets()).toEqual([
      { topic: 'tasks', partition: 0, offset: 4 },
      { topic: 'tasks', partition: 1, offset: 11 },
    ]);
  });

  it('does not count a redelivered record twice', () => {
    const t = new InFlightTracker();
    for (const o of [5, 6, 7]) t.consumed('generated', 0, o);
    // After a rebalance the partition is read again from 6.
    for (const o of [6, 7, 8]) t.consumed('generated', 0, o);
    expect(t.byTopic().get('generated')).toBe(4);
  });

  it('stays right across many commits (the queue is compacted as it goes)', () => {
    const t = new InFlightTracker();
    for (let o = 0; o < 10_000; o++) {
      t.consumed('tasks', 0, o);
      if (o % 100 === 99) t.committed('tasks', 0, o + 1);
    }
    expect(t.byTopic().get('tasks')).toBe(0);
  });
});
