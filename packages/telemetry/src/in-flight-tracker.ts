interface PartitionQueue {
  offsets: number[];
  head: number;
  committed: number | undefined;
}

/**
 * Source records consumed and not yet committed, per topic, derived from the
 * engine's `consumed` and `committed` events alone (the engine has no event for
 * "this source record is finished"; a commit of offset N finishes every record
 * below N on that partition).
 */
export class InFlightTracker {
  private readonly partitions = new Map<string, { topic: string; partition: number; q: PartitionQueue }>();

  consumed(topic: string, partition: number, offset: number): void {
    const q = this.queue(topic, partition);
    const last = q.offsets[q.offsets.length - 1];
    if (last !== undefined && q.offsets.length > q.head && offset <= last) {
      // Redelivery after a rebalance or restart: what we tracked from here on will be consumed again.
      let keep = q.offsets.length;
      while (keep > q.head && q.offsets[keep - 1]! >= offset) keep--;
      q.offsets.length = keep;
    }
    q.offsets.push(offset);
  }

  committed(topic: string, partition: number, offset: number): void {
    const q = this.queue(topic, partition);
    q.committed = offset;
    while (q.head < q.offsets.length && q.offsets[q.head]! < offset) q.head++;
    // Compact now and then so the array does not grow with the run.
    if (q.head > 1024 && q.head * 2 > q.offsets.length) {
      q.offsets = q.offsets.slice(q.head);
      q.head = 0;
    }
  }

  /** Records in flight per topic. */
  byTopic(): Map<string, number> {
    const out = new Map<string, number>();
    for (const { topic, q } of this.partitions.values()) {
      out.set(topic, (out.get(topic) ?? 0) + (q.offsets.length - q.head));
    }
    return out;
  }

  /** Last committed offset per partition. */
  committedOffsets(): { topic: string; partition: number; offset: number }[] {
    const out: { topic: string; partition: number; offset: number }[] = [];
    for (const { topic, partition, q } of this.partitions.values()) {
      if (q.committed !== undefined) out.push({ topic, partition, offset: q.committed });
    }
    return out;
  }

  private queue(topic: string, partition: number): PartitionQueue {
    const key = `${topic}\u0000${partition}`;
    let entry = this.partitions.get(key);
    if (!entry) {
      entry = { topic, partition, q: { offsets: [], head: 0, committed: undefined } };
      this.partitions.set(key, entry);
    }
    return entry.q;
  }
}
