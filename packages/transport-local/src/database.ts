import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { TaneError } from '@tane/core';
import Database from 'better-sqlite3';

/** `PRAGMA user_version` of the layout below; a store written by a newer layout is refused. */
export const SCHEMA_VERSION = 1;

/**
 * The whole store. Offsets are assigned from `partitions.next_offset` inside the
 * writing transaction, so they stay dense even with several writer processes.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS topics (
  id          INTEGER PRIMARY KEY,
  name        TEXT    NOT NULL UNIQUE,
  partitions  INTEGER NOT NULL,
  compacted   INTEGER NOT NULL DEFAULT 0,
  created_at  INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS partitions (
  topic_id    INTEGER NOT NULL,
  partition   INTEGER NOT NULL,
  next_offset INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (topic_id, partition)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS messages (
  id          INTEGER PRIMARY KEY,
  topic_id    INTEGER NOT NULL,
  partition   INTEGER NOT NULL,
  offset      INTEGER NOT NULL,
  key         TEXT,
  value       TEXT    NOT NULL,
  timestamp   INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS messages_position ON messages (topic_id, partition, offset);
CREATE TABLE IF NOT EXISTS compaction_keys (
  topic_id    INTEGER NOT NULL,
  partition   INTEGER NOT NULL,
  key         TEXT    NOT NULL,
  offset      INTEGER NOT NULL,
  PRIMARY KEY (topic_id, partition, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS group_offsets (
  group_id     TEXT    NOT NULL,
  topic_id     INTEGER NOT NULL,
  partition    INTEGER NOT NULL,
  offset       INTEGER NOT NULL,
  committed_at INTEGER NOT NULL,
  PRIMARY KEY (group_id, topic_id, partition)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS group_members (
  group_id     TEXT    NOT NULL,
  member_id    TEXT    NOT NULL,
  client_id    TEXT,
  pid          INTEGER NOT NULL,
  hostname     TEXT    NOT NULL,
  topics       TEXT    NOT NULL,
  lease_ms     INTEGER NOT NULL,
  joined_at    INTEGER NOT NULL,
  heartbeat_at INTEGER NOT NULL,
  PRIMARY KEY (group_id, member_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS group_assignments (
  group_id     TEXT    NOT NULL,
  topic_id     INTEGER NOT NULL,
  partition    INTEGER NOT NULL,
  member_id    TEXT    NOT NULL,
  assigned_at  INTEGER NOT NULL,
  PRIMARY KEY (group_id, topic_id, partition)
) WITHOUT ROWID;
CREATE VIEW IF NOT EXISTS topic_messages AS
  SELECT t.name AS topic, m.partition, m.offset, m.key, m.value, m.timestamp
  FROM messages m JOIN topics t ON t.id = m.topic_id;
CREATE VIEW IF NOT EXISTS group_lag AS
  SELECT g.group_id, t.name AS topic, g.partition, g.offset AS committed,
         p.next_offset AS high, p.next_offset - g.offset AS lag, g.committed_at
  FROM group_offsets g
  JOIN topics t ON t.id = g.topic_id
  JOIN partitions p ON p.topic_id = g.topic_id AND p.partition = g.partition;
`;

export interface OpenDatabaseOptions {
  synchronous: 'normal' | 'full';
  busyTimeoutMs: number;
}

/**
 * Opens (creating if needed) a store file in WAL mode with the schema in place.
 * Several processes may do this at the same time on the same file.
 */
export function openDatabase(path: string, options: OpenDatabaseOptions): Database.Database {
  let db: Database.Database;
  try {
    mkdirSync(dirname(path), { recursive: true });
    db = new Database(path, { timeout: options.busyTimeoutMs });
  } catch (err) {
    throw new TaneError('TRANSPORT_UNREACHABLE', `cannot open the local store: ${(err as Error).message}`, {
      where: path,
      hint: 'check that the folder is writable, or point `transport` at another `local:<path>`',
      cause: err,
    });
  }
  try {
    // busy_timeout first: the journal-mode switch below takes a lock another process may hold.
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs))}`);
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (String(mode).toLowerCase() !== 'wal') {
      throw new Error(`the file system does not support WAL mode (journal_mode is ${String(mode)})`);
    }
    db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma('journal_size_limit = 67108864');
    const version = Number(db.pragma('user_version', { simple: true }));
    if (version > SCHEMA_VERSION) {
      throw new TaneError(
        'TRANSPORT_ERROR',
        `the local store was written by a newer tane (layout ${version}, this one reads up to ${SCHEMA_VERSION})`,
        { where: path, hint: 'upgrade @tane/transport-local, or use another store path' },
      );
    }
    if (version < SCHEMA_VERSION) {
      db.transaction(() => {
        db.exec(SCHEMA);
        db.pragma(`user_version = ${SCHEMA_VERSION}`);
      }).immediate();
    }
    return db;
  } catch (err) {
    db.close();
    throw sqliteError(err, path, 'open the local store');
  }
}

/** Opens an existing store for reading only (inspection, `tane topics list`). */
export function openDatabaseReadonly(path: string): Database.Database {
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true, timeout: 5000 });
    const version = Number(db.pragma('user_version', { simple: true }));
    if (version !== SCHEMA_VERSION) {
      db.close();
      throw new TaneError(
        'TRANSPORT_ERROR',
        version === 0
          ? 'the file is not a tane local store (it has no topics table)'
          : `the local store has layout ${version}; this version of tane reads layout ${SCHEMA_VERSION}`,
        { where: path, hint: 'check the path given to `local:<path>`' },
      );
    }
    return db;
  } catch (err) {
    if (err instanceof TaneError) throw err;
    throw new TaneError('TRANSPORT_UNREACHABLE', `cannot open the local store: ${(err as Error).message}`, {
      where: path,
      hint: 'check the path; the store is created by the first `tane` command that uses it',
      cause: err,
    });
  }
}

/** SQLite failures as `TRANSPORT_ERROR`s naming the file; `SQLITE_BUSY` is retryable. */
export function sqliteError(err: unknown, path: string, doing: string): TaneError {
  if (err instanceof TaneError) return err;
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  const busy = typeof code === 'string' && code.startsWith('SQLITE_BUSY');
  return new TaneError('TRANSPORT_ERROR', `could not ${doing}: ${message}`, {
    where: path,
    retryable: busy,
    hint: busy
      ? 'another process held the store locked for too long; retry, or raise busyTimeoutMs'
      : 'check the disk (space, permissions) and the file; `sqlite3 <path> "PRAGMA integrity_check"` tells if it is damaged',
    cause: err,
  });
}
