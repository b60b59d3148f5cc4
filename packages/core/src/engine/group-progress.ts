import type { Transport } from '../transport.ts';

/**
 * How many offsets of the topics the group has not committed yet, across all
 * members and partitions (end minus committed; a partition without a commit
 * counts from its low offset). With transactional writers the end includes the
 * transaction markers; consumers commit past them (position markers), so 0
 * still means nothing published so far is left to do.
 */
export async function groupLag(transport: Transport, group: string, topics: string[]): Promise<number> {
  let lag = 0;
  for (const topic of topics) {
    const [ends, committed] = await Promise.all([
      transport.offsets(topic),
      transport.committedOffsets(group, topic),
    ]);
    for (const end of ends) {
      if (end.high <= end.low) continue;
      const c = committed.find((x) => x.partition === end.partition)?.offset ?? end.low;
      lag += Math.max(0, end.high - Math.max(c, end.low));
    }
  }
  return lag;
}

/** True when the group has committed every partition of every topic to its end (see {@link groupLag}). */
export async function groupCaughtUp(transport: Transport, group: string, topics: string[]): Promise<boolean> {
  return (await groupLag(transport, group, topics)) === 0;
}
