import { describe, expect, it } from 'vitest';
import { PartitionWatermark } from './watermark.ts';

describe('PartitionWatermark', () => {
  it('commits only the contiguous prefix when records finish out of order', () => {
    const w = new PartitionWatermark();
    for (const o of [10, 11, 12, 13, 14]) w.track(o);
    w.complete(12);
    w.complete(14);
    expect(w.committable()).toBeUndefined();
    w.complete(10);
    expect(w.committable()).toBe(11);
    w.complete(11);
    expect(w.committable()).toBe(13);
    w.complete(13);
    expect(w.committable()).toBe(15);
    expect(w.pending).toBe(0);
  });

  it('handles gaps in offsets (compacted topics)', () => {
    const w = new PartitionWatermark();
    for (const o of [3, 7, 8]) w.track(o);
    w.complete(7);
    expect(w.committable()).toBeUndefined();
    w.complete(3);
    expect(w.committable()).toBe(8);
    expect(w.pending).toBe(1);
  });

  it('stays correct across the internal compaction of a long run', () => {
    const w = new PartitionWatermark();
    for (let o = 0; o < 20_000; o++) w.track(o);
    for (let o = 19_999; o >= 1; o--) w.complete(o);
    expect(w.committable()).toBeUndefined();
    w.complete(0);
    expect(w.committable()).toBe(20_000);
    for (let o = 20_000; o < 30_000; o++) {
      w.track(o);
      w.complete(o);
    }
    expect(w.committable()).toBe(30_000);
  });
});
