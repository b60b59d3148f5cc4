import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  type Logger,
  type OutgoingMessage,
  type PartitionOffsets,
  serializeRecord,
  TaneError,
  type TopicSpec,
} from '@tane/core';
import type Database from 'better-sqlite3';
import { openDatabase, sqliteError } from './database.ts';
import { partitionForKey } from './murmur2.ts';
import { checkTopicName, partitionOutOfRange, topicNotFound } from './topic-errors.ts';

export interface TopicRow {
  id: number;
  name: string;
  partitions: number;
  compacted: boolean;
}

export interface MessageRow {
  offset: number;
  key: string | null;
  value: string;
  timestamp: number;
}

export interface LocalStoreOptions {
  synchronous: 'normal' | 'full';
  busyTimeoutMs: number;
  logger: Logger;
}

/** Bigger than any offset, for open-ended ranges (SQLite cannot bind Infinity). */
export const NO_END = Number.MAX_SAFE_INTEGER;

const MAX_PARTITIONS = 10_000;

interface RawTopicRow {
  id: number;
  name: string;
  partitions: number;
  compacted: number;
}

const toTopic = (row: RawTopicRow): TopicRow => ({
  id: row.id,
  name: row.name,
  partitions: row.partitions,
  compacted: row.compacted === 1,
});

/** One connection to a store file, with its prepared statements and the topic cache. */
export class LocalStore {
  readonly db: Database.Database;
  /** The absolute path, as shown to users. */
  readonly path: string;
  /** The real path, which identifies the file among the connections of this process. */
  readonly file: string;
  readonly logger: Logger;
  // Topics are never deleted, so a cached row stays true.
  private readonly topics = new Map<string, TopicRow>();
  private readonly runInTransaction: Database.Transaction<(fn: () => unknown) => unknown>;

  private readonly stmt: {
    topicByName: Database.Statement<[string], RawTopicRow>;
    allTopics: Database.Statement<[], RawTopicRow>;
    insertTopic: Database.Statement<[string, number, number, number]>;
    insertPartition: Database.Statement<[number, number]>;
    nextOffsets: Database.Statement<[number], { partition: number; next_offset: number }>;
    nextOffset: Database.Statement<[number, number], { next_offset: number }>;
    setNextOffset: Database.Statement<[number, number, number]>;
    lowOffsets: Database.Statement<[number], { partition: number; low: number }>;
    insertMessage: Database.Statement<[number, number, number, string, string, number]>;
    compactedOffset: Database.Statement<[number, number, string], { offset: number }>;
    setCompactedOffset: Database.Statement<[number, number, string, number]>;
    deleteMessage: Database.Statement<[number, number, number]>;
    fetch: Database.Statement<[number, number, number, number, number], MessageRow>;
    firstAtOrAfter: Database.Statement<[number, number, number], { offset: number | null }>;
  };

  constructor(path: string, options: LocalStoreOptions) {
    this.path = resolve(path);
    this.logger = options.logger;
    this.db = openDatabase(this.path, options);
    this.file = realpathSync(this.path);
    this.runInTransaction = this.db.transaction((fn: () => unknown) => fn());
    const db = this.db;
    this.stmt = {
      topicByName: db.prepare('SELECT id, name, partitions, compacted FROM topics WHERE name = ?'),
      allTopics: db.prepare('SELECT id, name, partitions, compacted FROM topics ORDER BY name'),
      insertTopic: db.prepare(
        'INSERT INTO topics (name, partitions, compacted, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING',
      ),
      insertPartition: db.prepare(
        'INSERT INTO partitions (topic_id, partition, next_offset) VALUES (?, ?, 0) ON CONFLICT DO NOTHING',
      ),
      nextOffsets: db.prepare(
        'SELECT partition, next_offset FROM partitions WHERE topic_id = ? ORDER BY partition',
      ),
      nextOffset: db.prepare('SELECT next_offset FROM partitions WHERE topic_id = ? AND partition = ?'),
      setNextOffset: db.prepare('UPDATE partitions SET next_offset = ? WHERE topic_id = ? AND partition = ?'),
      lowOffsets: db.prepare(
        'SELECT partition, (SELECT MIN(offset) FROM messages m WHERE m.topic_id = p.topic_id AND m.partition = p.partition) AS low FROM partitions p WHERE topic_id = ?',
      ),
      insertMessage: db.prepare(
        'INSERT INTO messages (topic_id, partition, offset, key, value, timestamp) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      compactedOffset: db.prepare(
        'SELECT offset FROM compaction_keys WHERE topic_id = ? AND partition = ? AND key = ?',
      ),
      setCompactedOffset: db.prepare(
        'INSERT INTO compaction_keys (topic_id, partition, key, offset) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET offset = excluded.offset',
      ),
      deleteMessage: db.prepare('DELETE FROM messages WHERE topic_id = ? AND partition = ? AND offset = ?'),
      fetch: db.prepare(
        'SELECT offset, key, value, timestamp FROM messages WHERE topic_id = ? AND partition = ? AND offset >= ? AND offset < ? ORDER BY offset LIMIT ?',
      ),
      firstAtOrAfter: db.prepare(
        'SELECT MIN(offset) AS offset FROM messages WHERE topic_id = ? AND partition = ? AND timestamp >= ?',
      ),
    };
  }

  /** Runs `fn` in a write transaction (`BEGIN IMMEDIATE`, so it never fails half-way on a lock upgrade). */
  write<T>(doing: string, fn: () => T): T {
    try {
      return this.runInTransaction.immediate(fn) as T;
    } catch (err) {
      throw sqliteError(err, this.path, doing);
    }
  }

  /** Runs `fn` reading one consistent snapshot. */
  read<T>(doing: string, fn: () => T): T {
    try {
      return this.runInTransaction.deferred(fn) as T;
    } catch (err) {
      throw sqliteError(err, this.path, doing);
    }
  }

  /** Changes whenever another connection commits. */
  dataVersion(): number {
    return Number(this.db.pragma('data_version', { simple: true }));
  }

  findTopic(name: string): TopicRow | undefined {
    const cached = this.topics.get(name);
    if (cached) return cached;
    const row = this.stmt.topicByName.get(name);
    if (!row) return undefined;
    const topic = toTopic(row);
    this.topics.set(name, topic);
    return topic;
  }

  requireTopic(name: string): TopicRow {
    const topic = this.findTopic(name);
    if (!topic) throw topicNotFound(name, this.path);
    return topic;
  }

  requirePartition(topic: TopicRow, partition: number): void {
    if (!Number.isInteger(partition) || partition < 0 || partition >= topic.partitions) {
      throw partitionOutOfRange(topic.name, partition, topic.partitions);
    }
  }

  createTopics(specs: TopicSpec[], defaultPartitions: number): void {
    const wanted = specs.map((spec) => {
      checkTopicName(spec.name);
      const partitions =
        spec.partitions === undefined || spec.partitions === 0 ? defaultPartitions : spec.partitions;
      if (!Number.isInteger(partitions) || partitions < 1 || partitions > MAX_PARTITIONS) {
        throw new TaneError(
          'TRANSPORT_ERROR',
          `invalid partition count ${partitions} for topic '${spec.name}'`,
          {
            where: `topic ${spec.name}`,
            hint: `give a whole number from 1 to ${MAX_PARTITIONS}`,
          },
        );
      }
      return { name: spec.name, partitions, compacted: spec.compacted === true };
    });
    this.write('create topics', () => {
      const now = Date.now();
      for (const spec of wanted) {
        const inserted = this.stmt.insertTopic.run(spec.name, spec.partitions, spec.compacted ? 1 : 0, now);
        const topic = this.requireTopic(spec.name);
        if (inserted.changes === 0) {
          if (topic.partitions !== spec.partitions || topic.compacted !== spec.compacted) {
            this.logger.debug('topic exists with other settings; left as it is', {
              topic: spec.name,
              partitions: topic.partitions,
              compacted: topic.compacted,
              requested: spec,
            });
          }
          continue;
        }
        for (let p = 0; p < topic.partitions; p++) this.stmt.insertPartition.run(topic.id, p);
      }
    });
  }

  listTopics(): TopicRow[] {
    try {
      return this.stmt.allTopics.all().map(toTopic);
    } catch (err) {
      throw sqliteError(err, this.path, 'list topics');
    }
  }

  /** The next offset that will be written, per partition (index = partition). */
  highs(topic: TopicRow): number[] {
    const highs = new Array<number>(topic.partitions).fill(0);
    for (const row of this.stmt.nextOffsets.all(topic.id)) highs[row.partition] = row.next_offset;
    return highs;
  }

  high(topic: TopicRow, partition: number): number {
    return this.stmt.nextOffset.get(topic.id, partition)?.next_offset ?? 0;
  }

  offsets(topic: TopicRow): PartitionOffsets[] {
    return this.read(`read the offsets of '${topic.name}'`, () => {
      const highs = this.highs(topic);
      const lows = new Map(this.stmt.lowOffsets.all(topic.id).map((r) => [r.partition, r.low]));
      return highs.map((high, partition) => ({ partition, low: lows.get(partition) ?? high, high }));
    });
  }

  /** Appends messages in one transaction; returns the names of the topics written. */
  append(messages: OutgoingMessage[]): Set<string> {
    const touched = new Set<string>();
    if (messages.length === 0) return touched;
    const serialized = messages.map((m) => serializeRecord(m.value));
    this.write('write messages', () => {
      const now = Date.now();
      const next = new Map<string, { topic: TopicRow; partition: number; offset: number }>();
      messages.forEach((message, i) => {
        const topic = this.requireTopic(message.topic);
        const partition = message.partition ?? partitionForKey(message.key, topic.partitions);
        this.requirePartition(topic, partition);
        const slot = `${topic.id}:${partition}`;
        let cursor = next.get(slot);
        if (!cursor) {
          cursor = { topic, partition, offset: this.high(topic, partition) };
          next.set(slot, cursor);
        }
        const offset = cursor.offset++;
        this.stmt.insertMessage.run(topic.id, partition, offset, message.key, serialized[i]!, now);
        if (topic.compacted) {
          if (typeof message.key !== 'string') {
            throw new TaneError(
              'TRANSPORT_ERROR',
              `a message for compacted topic '${topic.name}' has no key`,
              {
                where: `${topic.name}/${partition}`,
                hint: 'give every message of a compacted topic a key: compaction keeps the newest value per key',
              },
            );
          }
          const previous = this.stmt.compactedOffset.get(topic.id, partition, message.key);
          if (previous) this.stmt.deleteMessage.run(topic.id, partition, previous.offset);
          this.stmt.setCompactedOffset.run(topic.id, partition, message.key, offset);
        }
        touched.add(topic.name);
      });
      for (const cursor of next.values()) {
        this.stmt.setNextOffset.run(cursor.offset, cursor.topic.id, cursor.partition);
      }
    });
    return touched;
  }

  /** Up to `limit` messages of one partition from offset `from` (inclusive) to `before` (exclusive). */
  fetch(topic: TopicRow, partition: number, from: number, limit: number, before = NO_END): MessageRow[] {
    try {
      return this.stmt.fetch.all(topic.id, partition, from, before, limit);
    } catch (err) {
      throw sqliteError(err, this.path, `read ${topic.name}/${partition}`);
    }
  }

  /** The first stored offset whose timestamp is at or after `timestamp`, if any. */
  firstOffsetAtOrAfter(topic: TopicRow, partition: number, timestamp: number): number | undefined {
    return this.stmt.firstAtOrAfter.get(topic.id, partition, timestamp)?.offset ?? undefined;
  }

  close(): void {
    if (!this.db.open) return;
    try {
      // Folds the WAL back into the main file when no one else is reading; harmless if busy.
      this.db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // another process holds the file; its own close will checkpoint
    }
    this.db.close();
  }
}
