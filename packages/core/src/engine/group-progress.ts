import type { Transport } from '../transport.ts';

/**
 * True when the group has committed every partition of every topic to its end
 * — across all members — so nothing published so far is still to do. With
 * transactional writers the end includes the transaction markers; consumers
 * commit past them (position markers), so "done" still means committed ≥ end.
 */
export async function groupCaughtUp(transport: Transport, group: string, topics: string[]): Promise<boolean> {
  for (const topic of topics) {
    const [ends, committed] = await Promise.all([
      transport.offsets(topic),
      transport.committedOffsets(group, topic),
    ]);
    for (const end of ends) {
      if (end.high <= end.low) continue;
      const c = committed.find((x) => x.partition === end.partition)?.offset ?? end.low;
      if (c < end.high) return false;
    }
  }
  return true;
}
