import { resolve } from 'node:path';
import { openDatabaseReadonly, sqliteError } from './database.ts';
import { leaseExpired, type MemberRow } from './group-store.ts';

/** One partition of a topic in a local store. */
export interface LocalPartitionDescription {
  partition: number;
  /** The first offset still stored (= `high` when empty). */
  low: number;
  /** The next offset that will be written. */
  high: number;
  messages: number;
}

export interface LocalTopicDescription {
  name: string;
  partitions: number;
  compacted: boolean;
  messages: number;
  partitionDetails: LocalPartitionDescription[];
}

export interface LocalGroupMemberDescription {
  memberId: string;
  clientId: string | null;
  pid: number;
  hostname: string;
  topics: string[];
  joinedAt: number;
  heartbeatAt: number;
  /** False when the lease has run out or the process is gone (the next member to join takes it over). */
  alive: boolean;
  partitions: Array<{ topic: string; partition: number }>;
}

export interface LocalGroupOffsetDescription {
  topic: string;
  partition: number;
  /** The committed offset: the next one the group will read. */
  offset: number;
  high: number;
  /** Messages written but not yet committed by the group. */
  lag: number;
  committedAt: number;
}

export interface LocalGroupDescription {
  group: string;
  members: LocalGroupMemberDescription[];
  offsets: LocalGroupOffsetDescription[];
  /** Sum of `lag` over the committed partitions. */
  lag: number;
}

export interface LocalStoreDescription {
  /** The absolute path of the store file. */
  path: string;
  topics: LocalTopicDescription[];
  groups: LocalGroupDescription[];
}

/**
 * What a local store holds: topics with partitions and message counts, consumer
 * groups with their members, committed offsets and lag. Opens the file read-only,
 * so it is safe while workers run.
 *
 * @example
 * ```ts
 * const store = await describeLocalStore('./.tane/tane.db');
 * for (const t of store.topics) console.log(t.name, t.partitions, t.messages);
 * for (const g of store.groups) console.log(g.group, g.lag);
 * ```
 */
export async function describeLocalStore(path: string): Promise<LocalStoreDescription> {
  const absolute = resolve(path);
  const db = openDatabaseReadonly(absolute);
  try {
    return db.transaction(() => {
      const topicRows = db
        .prepare<[], { id: number; name: string; partitions: number; compacted: number }>(
          'SELECT id, name, partitions, compacted FROM topics ORDER BY name',
        )
        .all();
      const names = new Map(topicRows.map((t) => [t.id, t.name]));
      const partitionRows = db
        .prepare<
          [],
          { topic_id: number; partition: number; high: number; low: number | null; count: number | null }
        >(
          `SELECT p.topic_id, p.partition, p.next_offset AS high,
                  (SELECT MIN(offset) FROM messages m WHERE m.topic_id = p.topic_id AND m.partition = p.partition) AS low,
                  CASE WHEN t.compacted = 1 THEN
                    (SELECT COUNT(*) FROM messages m WHERE m.topic_id = p.topic_id AND m.partition = p.partition)
                  END AS count
           FROM partitions p JOIN topics t ON t.id = p.topic_id
           ORDER BY p.topic_id, p.partition`,
        )
        .all();
      const highs = new Map<string, number>();
      const topics = topicRows.map((t): LocalTopicDescription => {
        const partitionDetails = partitionRows
          .filter((p) => p.topic_id === t.id)
          .map((p) => {
            highs.set(`${t.id}:${p.partition}`, p.high);
            const low = p.low ?? p.high;
            // Without compaction every offset from low to high is stored, so no count is needed.
            return { partition: p.partition, low, high: p.high, messages: p.count ?? p.high - low };
          });
        return {
          name: t.name,
          partitions: t.partitions,
          compacted: t.compacted === 1,
          messages: partitionDetails.reduce((sum, p) => sum + p.messages, 0),
          partitionDetails,
        };
      });

      const offsetRows = db
        .prepare<
          [],
          { group_id: string; topic_id: number; partition: number; offset: number; committed_at: number }
        >(
          'SELECT group_id, topic_id, partition, offset, committed_at FROM group_offsets ORDER BY group_id, topic_id, partition',
        )
        .all();
      const memberRows = db
        .prepare<[], MemberRow & { group_id: string }>(
          'SELECT * FROM group_members ORDER BY group_id, joined_at',
        )
        .all();
      const assignmentRows = db
        .prepare<[], { group_id: string; topic_id: number; partition: number; member_id: string }>(
          'SELECT group_id, topic_id, partition, member_id FROM group_assignments ORDER BY topic_id, partition',
        )
        .all();

      const groupNames = [
        ...new Set([...offsetRows.map((r) => r.group_id), ...memberRows.map((r) => r.group_id)]),
      ].sort();
      const now = Date.now();
      const groups = groupNames.map((group): LocalGroupDescription => {
        const offsets = offsetRows
          .filter((r) => r.group_id === group)
          .map((r) => {
            const high = highs.get(`${r.topic_id}:${r.partition}`) ?? r.offset;
            return {
              topic: names.get(r.topic_id) ?? `#${r.topic_id}`,
              partition: r.partition,
              offset: r.offset,
              high,
              lag: Math.max(0, high - r.offset),
              committedAt: r.committed_at,
            };
          });
        const members = memberRows
          .filter((r) => r.group_id === group)
          .map((r) => ({
            memberId: r.member_id,
            clientId: r.client_id,
            pid: r.pid,
            hostname: r.hostname,
            topics: JSON.parse(r.topics) as string[],
            joinedAt: r.joined_at,
            heartbeatAt: r.heartbeat_at,
            alive: !leaseExpired(r, now),
            partitions: assignmentRows
              .filter((a) => a.group_id === group && a.member_id === r.member_id)
              .map((a) => ({ topic: names.get(a.topic_id) ?? `#${a.topic_id}`, partition: a.partition })),
          }));
        return { group, members, offsets, lag: offsets.reduce((sum, o) => sum + o.lag, 0) };
      });
      return { path: absolute, topics, groups };
    })();
  } catch (err) {
    throw sqliteError(err, absolute, 'describe the local store');
  } finally {
    db.close();
  }
}
