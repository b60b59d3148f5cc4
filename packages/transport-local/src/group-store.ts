import { hostname as osHostname } from 'node:os';
import { type CommittedOffset, type OffsetReset, TaneError, type TopicPartition } from '@tane/core';
import type Database from 'better-sqlite3';
import type { LocalStore, TopicRow } from './local-store.ts';
import { isProcessAlive } from './process-alive.ts';

/** One group member as stored in `group_members`. */
export interface MemberRow {
  member_id: string;
  client_id: string | null;
  pid: number;
  hostname: string;
  topics: string;
  lease_ms: number;
  joined_at: number;
  heartbeat_at: number;
}

/** Who this member is, as written into its lease. */
export interface MemberIdentity {
  group: string;
  memberId: string;
  clientId: string | null;
  topics: TopicRow[];
  leaseMs: number;
}

export interface PartitionRef {
  topic: TopicRow;
  partition: number;
}

export const partitionKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;
const refKey = (ref: PartitionRef): string => partitionKey(ref.topic.name, ref.partition);

/** What one lease renewal found and did. */
export interface SyncResult {
  /** The member's lease had been taken away (it was presumed dead) and was written anew. */
  rejoined: boolean;
  /** Partitions this member owned in the store before this renewal. */
  ownedBefore: PartitionRef[];
  /** Partitions owned after it (the ones before plus the free ones it claimed). */
  owned: PartitionRef[];
  /** Owned partitions that the current membership gives to someone else. */
  toRelease: PartitionRef[];
  /** Members whose lease was found expired and removed. */
  expired: MemberRow[];
  /** Partitions meant for this member that another member still holds. */
  waiting: number;
}

/**
 * Member ids alive in this process: a row with this process's pid and host but an
 * id not in here was left by an earlier process that had the same pid. Kept on
 * `globalThis` so that two copies of this module in one process agree.
 */
const membersOfThisProcess: Set<string> = ((globalThis as Record<symbol, unknown>)[
  Symbol.for('tane.transport-local.members')
] ??= new Set<string>()) as Set<string>;

export function registerLiveMember(memberId: string): void {
  membersOfThisProcess.add(memberId);
}

export function unregisterLiveMember(memberId: string): void {
  membersOfThisProcess.delete(memberId);
}

const thisHost = osHostname();

/** Whether a member's lease is over: heartbeat too old, or its process is gone from this machine. */
export function leaseExpired(row: MemberRow, now: number): boolean {
  if (row.heartbeat_at + row.lease_ms < now) return true;
  if (row.hostname !== thisHost) return false;
  if (row.pid === process.pid) return !membersOfThisProcess.has(row.member_id);
  return !isProcessAlive(row.pid);
}

function describeHolder(row: MemberRow, now: number): string {
  const client = row.client_id ? ` (${row.client_id})` : '';
  const seen = Math.max(0, Math.round((now - row.heartbeat_at) / 100) / 10);
  return `pid ${row.pid} on ${row.hostname}${client}, last seen ${seen} s ago`;
}

/** Group membership, partition leases and committed offsets, all in the store. */
export class GroupStore {
  private readonly stmt: {
    member: Database.Statement<[string, string], MemberRow>;
    members: Database.Statement<[string], MemberRow>;
    insertMember: Database.Statement<
      [string, string, string | null, number, string, string, number, number, number]
    >;
    heartbeat: Database.Statement<[number, string, string]>;
    deleteMember: Database.Statement<[string, string]>;
    assignments: Database.Statement<[string], { topic_id: number; partition: number; member_id: string }>;
    assignment: Database.Statement<[string, number, number], { member_id: string }>;
    claim: Database.Statement<[string, number, number, string, number]>;
    release: Database.Statement<[string, number, number, string]>;
    releaseAll: Database.Statement<[string, string]>;
    committed: Database.Statement<[string, number], { partition: number; offset: number }>;
    committedOne: Database.Statement<[string, number, number], { offset: number }>;
    setCommitted: Database.Statement<[string, number, number, number, number]>;
  };

  constructor(private readonly store: LocalStore) {
    const db = store.db;
    this.stmt = {
      member: db.prepare('SELECT * FROM group_members WHERE group_id = ? AND member_id = ?'),
      members: db.prepare('SELECT * FROM group_members WHERE group_id = ? ORDER BY joined_at, member_id'),
      insertMember: db.prepare(
        'INSERT INTO group_members (group_id, member_id, client_id, pid, hostname, topics, lease_ms, joined_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      heartbeat: db.prepare('UPDATE group_members SET heartbeat_at = ? WHERE group_id = ? AND member_id = ?'),
      deleteMember: db.prepare('DELETE FROM group_members WHERE group_id = ? AND member_id = ?'),
      assignments: db.prepare(
        'SELECT topic_id, partition, member_id FROM group_assignments WHERE group_id = ?',
      ),
      assignment: db.prepare(
        'SELECT member_id FROM group_assignments WHERE group_id = ? AND topic_id = ? AND partition = ?',
      ),
      claim: db.prepare(
        'INSERT INTO group_assignments (group_id, topic_id, partition, member_id, assigned_at) VALUES (?, ?, ?, ?, ?)',
      ),
      release: db.prepare(
        'DELETE FROM group_assignments WHERE group_id = ? AND topic_id = ? AND partition = ? AND member_id = ?',
      ),
      releaseAll: db.prepare('DELETE FROM group_assignments WHERE group_id = ? AND member_id = ?'),
      committed: db.prepare(
        'SELECT partition, offset FROM group_offsets WHERE group_id = ? AND topic_id = ? ORDER BY partition',
      ),
      committedOne: db.prepare(
        'SELECT offset FROM group_offsets WHERE group_id = ? AND topic_id = ? AND partition = ?',
      ),
      setCommitted: db.prepare(
        'INSERT INTO group_offsets (group_id, topic_id, partition, offset, committed_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET offset = excluded.offset, committed_at = excluded.committed_at',
      ),
    };
  }

  /**
   * Renews this member's lease, removes expired members, and claims the free
   * partitions the current membership gives to this member. Partitions are
   * split per topic, round-robin over the members subscribed to it in join order.
   */
  sync(me: MemberIdentity): SyncResult {
    return this.store.write(`renew the lease of group '${me.group}'`, () => {
      const now = Date.now();
      let rejoined = false;
      if (this.stmt.member.get(me.group, me.memberId)) {
        this.stmt.heartbeat.run(now, me.group, me.memberId);
      } else {
        this.stmt.insertMember.run(
          me.group,
          me.memberId,
          me.clientId,
          process.pid,
          thisHost,
          JSON.stringify(me.topics.map((t) => t.name)),
          me.leaseMs,
          now,
          now,
        );
        rejoined = true;
      }
      const expired = this.expireMembers(me.group, now);
      const members = this.stmt.members.all(me.group);
      const holders = new Map<string, string>();
      for (const row of this.stmt.assignments.all(me.group)) {
        holders.set(`${row.topic_id}:${row.partition}`, row.member_id);
      }

      const ownedBefore: PartitionRef[] = [];
      const owned: PartitionRef[] = [];
      const toRelease: PartitionRef[] = [];
      let waiting = 0;
      for (const topic of me.topics) {
        const subscribers = members.filter((m) => (JSON.parse(m.topics) as string[]).includes(topic.name));
        const index = subscribers.findIndex((m) => m.member_id === me.memberId);
        for (let partition = 0; partition < topic.partitions; partition++) {
          const ref = { topic, partition };
          const desired = partition % subscribers.length === index;
          const holder = holders.get(`${topic.id}:${partition}`);
          if (holder === me.memberId) {
            ownedBefore.push(ref);
            owned.push(ref);
            if (!desired) toRelease.push(ref);
          } else if (desired && holder === undefined) {
            this.stmt.claim.run(me.group, topic.id, partition, me.memberId, now);
            owned.push(ref);
          } else if (desired) {
            waiting++;
          }
        }
      }
      return { rejoined, ownedBefore, owned, toRelease, expired, waiting };
    });
  }

  /** Renews the lease only; false when it had already been taken away. */
  heartbeat(me: MemberIdentity): boolean {
    return this.store.write(`renew the lease of group '${me.group}'`, () => {
      return this.stmt.heartbeat.run(Date.now(), me.group, me.memberId).changes === 1;
    });
  }

  release(me: MemberIdentity, refs: PartitionRef[]): void {
    if (refs.length === 0) return;
    this.store.write(`release partitions of group '${me.group}'`, () => {
      for (const ref of refs) this.stmt.release.run(me.group, ref.topic.id, ref.partition, me.memberId);
    });
  }

  /** Leaves the group: the lease and every partition go. */
  leave(me: MemberIdentity): void {
    this.store.write(`leave group '${me.group}'`, () => {
      this.stmt.releaseAll.run(me.group, me.memberId);
      this.stmt.deleteMember.run(me.group, me.memberId);
    });
  }

  /** Removes members whose lease is over, with their partitions; call inside a write transaction. */
  private expireMembers(group: string, now: number): MemberRow[] {
    const expired = this.stmt.members.all(group).filter((row) => leaseExpired(row, now));
    for (const row of expired) {
      this.stmt.releaseAll.run(group, row.member_id);
      this.stmt.deleteMember.run(group, row.member_id);
    }
    return expired;
  }

  /**
   * Where each newly owned partition starts: the committed offset, or (without one,
   * or past the end) the start policy.
   */
  startPositions(group: string, refs: PartitionRef[], start: 'earliest' | 'latest'): Map<string, number> {
    return this.store.read(`read the committed offsets of group '${group}'`, () => {
      const positions = new Map<string, number>();
      for (const ref of refs) {
        const high = this.store.high(ref.topic, ref.partition);
        const committed = this.stmt.committedOne.get(group, ref.topic.id, ref.partition)?.offset;
        let position = committed ?? (start === 'latest' ? high : 0);
        if (position > high) {
          this.store.logger.warn(
            'committed offset is past the end of the partition; using the start policy',
            {
              group,
              topic: ref.topic.name,
              partition: ref.partition,
              committed,
              high,
              start,
            },
          );
          position = start === 'latest' ? high : 0;
        }
        positions.set(refKey(ref), position);
      }
      return positions;
    });
  }

  /**
   * Commits offsets. Partitions this member no longer owns are refused with
   * `GROUP_LOCKED` (after the owned ones in the same call are committed), so a
   * member that lost a partition cannot move its new owner's position.
   */
  commit(me: MemberIdentity, offsets: Array<TopicPartition & { offset: number }>): void {
    const refused = this.store.write(`commit offsets of group '${me.group}'`, () => {
      const now = Date.now();
      const checked = offsets.map((entry) => {
        const topic = this.store.requireTopic(entry.topic);
        this.store.requirePartition(topic, entry.partition);
        const where = `${entry.topic}/${entry.partition}@${entry.offset}`;
        if (!Number.isInteger(entry.offset) || entry.offset < 0) {
          throw new TaneError('TRANSPORT_ERROR', `invalid offset ${entry.offset} to commit`, {
            where,
            hint: 'commit the next offset to read: the offset of the last processed message + 1',
          });
        }
        const high = this.store.high(topic, entry.partition);
        if (entry.offset > high) {
          throw new TaneError(
            'TRANSPORT_ERROR',
            `cannot commit offset ${entry.offset}: ${entry.topic}/${entry.partition} ends at ${high}`,
            { where, hint: 'commit the offset of the last processed message + 1' },
          );
        }
        return { entry, topic };
      });
      const notOwned: string[] = [];
      for (const { entry, topic } of checked) {
        const holder = this.stmt.assignment.get(me.group, topic.id, entry.partition)?.member_id;
        if (holder !== me.memberId) {
          const holderRow = holder === undefined ? undefined : this.stmt.member.get(me.group, holder);
          notOwned.push(
            `${entry.topic}/${entry.partition}${holderRow ? ` (now with ${describeHolder(holderRow, now)})` : ''}`,
          );
          continue;
        }
        this.stmt.setCommitted.run(me.group, topic.id, entry.partition, entry.offset, now);
      }
      if (notOwned.length === 0) return undefined;
      const member = this.stmt.member.get(me.group, me.memberId);
      return { notOwned, gone: member === undefined };
    });
    if (!refused) return;
    const reason = refused.gone
      ? 'this member is no longer in the group (it stopped, or its lease expired)'
      : 'this member does not own them (any more)';
    throw new TaneError(
      'GROUP_LOCKED',
      `refused to commit ${refused.notOwned.join(', ')} for group '${me.group}': ${reason}`,
      {
        where: `group ${me.group}`,
        hint: 'do not retry: the partitions were rebalanced, and their new owner resumes from the last commit that succeeded (other partitions in the same call were committed)',
      },
    );
  }

  committed(group: string, topic: TopicRow): CommittedOffset[] {
    return this.stmt.committed
      .all(group, topic.id)
      .map((r) => ({ partition: r.partition, offset: r.offset }));
  }

  /** Moves committed offsets; refused while the group has a live member. */
  reset(group: string, topic: TopicRow, to: OffsetReset): void {
    this.store.write(`reset the offsets of group '${group}'`, () => {
      const now = Date.now();
      this.expireMembers(group, now);
      const live = this.stmt.members.all(group);
      const first = live[0];
      if (first) {
        throw new TaneError(
          'GROUP_LOCKED',
          `group '${group}' has ${live.length === 1 ? 'an active member' : `${live.length} active members`}: ${describeHolder(first, now)}`,
          {
            where: `group ${group}`,
            hint: `stop the workers of group '${group}' (a crashed one is let go ${Math.round(first.lease_ms / 1000)} s after its last heartbeat) and run this again`,
          },
        );
      }
      const targets = new Map<number, number>();
      if (to.to === 'offsets') {
        for (const entry of to.offsets) {
          this.store.requirePartition(topic, entry.partition);
          if (!Number.isInteger(entry.offset) || entry.offset < 0) {
            throw new TaneError(
              'TRANSPORT_ERROR',
              `cannot set offset ${entry.offset} on ${topic.name}/${entry.partition}`,
              { where: `${topic.name}/${entry.partition}`, hint: 'give a whole number from 0 up' },
            );
          }
          // Past the end means "nothing left to read here": the end, as Kafka's reset to latest would give.
          targets.set(entry.partition, Math.min(entry.offset, this.store.high(topic, entry.partition)));
        }
      } else {
        const highs = this.store.highs(topic);
        const lows = new Map(this.store.offsets(topic).map((o) => [o.partition, o.low]));
        highs.forEach((high, partition) => {
          if (to.to === 'earliest') targets.set(partition, lows.get(partition) ?? 0);
          else if (to.to === 'latest') targets.set(partition, high);
          else
            targets.set(partition, this.store.firstOffsetAtOrAfter(topic, partition, to.timestamp) ?? high);
        });
      }
      for (const [partition, offset] of targets)
        this.stmt.setCommitted.run(group, topic.id, partition, offset, now);
    });
  }
}
