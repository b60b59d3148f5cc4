import { createHash } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { canonicalJson, TaneError } from '@tane/core';
import Database from 'better-sqlite3';
import type { ChatMessage, ChatParams } from './chat-types.ts';

/** A completed, valid reply as stored in the cache. */
export interface CachedResponse {
  content: string;
  model: string;
  promptTokens: number;
  completionTokens: number;
}

/** What makes two calls the same call. `format` is the JSON schema asked for (or null for plain chat). */
export interface CacheKeyParts {
  model: string;
  params: ChatParams | undefined;
  messages: readonly ChatMessage[];
  format: { name: string; schema: object } | null;
}

const schemaTexts = new WeakMap<object, string>();

function schemaText(schema: object): string {
  let text = schemaTexts.get(schema);
  if (text === undefined) schemaTexts.set(schema, (text = canonicalJson(schema)));
  return text;
}

/**
 * sha256 over (model, params, messages, requested format), with object keys
 * sorted so the same call always maps to the same key: the hash of
 * `canonicalJson({ v: 1, model, params, messages, format })`, fed in pieces so the
 * JSON schema (the same object on every call of a stage) is made canonical once.
 */
export function responseCacheKey(parts: CacheKeyParts): string {
  const hash = createHash('sha256');
  const format = parts.format
    ? `{"name":${JSON.stringify(parts.format.name)},"schema":${schemaText(parts.format.schema)}}`
    : 'null';
  hash.update(`{"format":${format},"messages":[`);
  parts.messages.forEach((m, i) => {
    hash.update(
      `${i > 0 ? ',' : ''}{"content":${JSON.stringify(m.content) ?? 'null'},"role":${JSON.stringify(m.role) ?? 'null'}}`,
    );
  });
  hash.update(
    `],"model":${JSON.stringify(parts.model)},"params":${canonicalJson(parts.params ?? {})},"v":1}`,
  );
  return hash.digest('hex');
}

interface SharedDb {
  db: Database.Database;
  get: Database.Statement<
    [string],
    { model: string; content: string; prompt_tokens: number; completion_tokens: number }
  >;
  put: Database.Statement<[string, string, string, number, number, number]>;
  refs: number;
  /** Replies of this event-loop turn, written together when it ends. */
  pending: Map<string, CachedResponse & { at: number }>;
  flushScheduled: boolean;
  flush(): void;
}

const open = new Map<string, SharedDb>();

function flushOnExit(): void {
  for (const s of open.values()) {
    try {
      s.flush();
    } catch {
      // the process is ending; nothing else to do
    }
  }
}

function openShared(path: string): SharedDb {
  const existing = open.get(path);
  if (existing) {
    existing.refs++;
    return existing;
  }
  try {
    mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = NORMAL');
    db.exec(`CREATE TABLE IF NOT EXISTS llm_responses (
      key TEXT PRIMARY KEY,
      model TEXT NOT NULL,
      content TEXT NOT NULL,
      prompt_tokens INTEGER NOT NULL,
      completion_tokens INTEGER NOT NULL,
      created_at INTEGER NOT NULL
    )`);
    const put = db.prepare<[string, string, string, number, number, number]>(
      'INSERT OR REPLACE INTO llm_responses (key, model, content, prompt_tokens, completion_tokens, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const writeAll = db.transaction((rows: [string, CachedResponse & { at: number }][]) => {
      for (const [key, v] of rows) put.run(key, v.model, v.content, v.promptTokens, v.completionTokens, v.at);
    });
    const shared: SharedDb = {
      db,
      get: db.prepare(
        'SELECT model, content, prompt_tokens, completion_tokens FROM llm_responses WHERE key = ?',
      ),
      put,
      refs: 1,
      pending: new Map(),
      flushScheduled: false,
      flush() {
        shared.flushScheduled = false;
        if (shared.pending.size === 0) return;
        const rows = [...shared.pending];
        shared.pending.clear();
        writeAll(rows);
      },
    };
    // Whatever ends the process short of a kill, the replies of its last turn are kept.
    if (open.size === 0) process.on('exit', flushOnExit);
    open.set(path, shared);
    return shared;
  } catch (err) {
    throw new TaneError('LLM_CONFIG', `cannot open the LLM response cache: ${(err as Error).message}`, {
      where: path,
      hint: 'check that the directory is writable, or delete the file to start a fresh cache (or set cachePath: false)',
      cause: err,
    });
  }
}

/**
 * The embedded response cache: one SQLite file (WAL) per path, shared by every
 * client in the process, safe to share between processes.
 */
export class ResponseCache {
  private shared: SharedDb | undefined;

  constructor(readonly path: string) {
    this.shared = openShared(path);
  }

  get(key: string): CachedResponse | undefined {
    const waiting = this.shared?.pending.get(key);
    if (waiting) {
      const { at: _, ...value } = waiting;
      return value;
    }
    const row = this.shared?.get.get(key);
    if (!row) return undefined;
    return {
      content: row.content,
      model: row.model,
      promptTokens: row.prompt_tokens,
      completionTokens: row.completion_tokens,
    };
  }

  /**
   * Stores a reply. Replies that arrive in one event-loop turn are written in
   * one transaction at its end (`setImmediate`), not one insert each; `flush`
   * writes them at once, and so does the process exiting.
   */
  put(key: string, value: CachedResponse): void {
    const s = this.shared;
    if (!s) return;
    s.pending.set(key, { ...value, at: Date.now() });
    if (!s.flushScheduled) {
      s.flushScheduled = true;
      setImmediate(() => s.flush());
    }
  }

  /** Writes the replies not written yet. */
  flush(): void {
    this.shared?.flush();
  }

  close(): void {
    const s = this.shared;
    if (!s) return;
    this.shared = undefined;
    s.flush();
    s.refs--;
    if (s.refs === 0) {
      open.delete(this.path);
      s.db.close();
      if (open.size === 0) process.off('exit', flushOnExit);
    }
  }
}

/**
 * Deletes a cache file (and its WAL files). Every later call pays again.
 *
 * @example
 * ```ts
 * clearLlmCache('.tane/llm-cache.db');
 * ```
 */
export function clearLlmCache(path: string): void {
  const full = resolve(path);
  if (open.has(full)) {
    throw new TaneError('LLM_CONFIG', 'the response cache is in use by an open LLM client', {
      where: full,
      hint: 'call closeAllLlmClients() first',
    });
  }
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${full}${suffix}`, { force: true });
}
