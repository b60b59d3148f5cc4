import { createHash, type Hash } from 'node:crypto';
import { appendFile, mkdir, open, readdir, readFile, rm, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { contentId, IdTable } from '@tane/core';
import { isAtomicTempFile, writeFileAtomic } from './atomic-file.ts';
import type { DatasetRow } from './dataset-row.ts';
import type { RowSource } from './export-formats.ts';

/** One shard file, as listed in the manifest. */
export interface ShardInfo {
  /** Path relative to the dataset folder, with `/` separators. */
  path: string;
  category: string;
  rows: number;
  sha256: string;
}

interface CategoryShards {
  category: string;
  folder: string;
  /** Parts on disk, in order; the last may be partial. */
  parts: ShardInfo[];
  /** The running hash of the last part while it is partial (rows are appended to it). */
  openHash: Hash | undefined;
}

const PART = /^part-(\d{5,})\.jsonl$/;
const ROW_BATCH = 500;
const READ_CHUNK = 1 << 20;
const NEWLINE = 0x0a;

/**
 * The JSON lines of a file as rows, `batchSize` at a time, reading it in
 * chunks up to its size at the start; a line that is not JSON (a torn last
 * line after a crash, reported by `load`) is skipped.
 */
async function* readRowsInBatches(path: string, batchSize: number): AsyncGenerator<DatasetRow[]> {
  const handle = await open(path, 'r');
  try {
    let left = (await handle.stat()).size;
    const chunk = Buffer.allocUnsafe(Math.min(READ_CHUNK, Math.max(left, 1)));
    let carry: Buffer | undefined;
    let batch: DatasetRow[] = [];
    const take = (data: Buffer, start: number, end: number) => {
      if (end <= start) return;
      try {
        batch.push(JSON.parse(data.toString('utf8', start, end)) as DatasetRow);
      } catch {
        // reported by load
      }
    };
    while (left > 0) {
      const { bytesRead } = await handle.read(chunk, 0, Math.min(chunk.length, left), null);
      if (bytesRead === 0) break;
      left -= bytesRead;
      const data = carry
        ? Buffer.concat([carry, chunk.subarray(0, bytesRead)])
        : chunk.subarray(0, bytesRead);
      let start = 0;
      for (let end = data.indexOf(NEWLINE, start); end !== -1; end = data.indexOf(NEWLINE, start)) {
        take(data, start, end);
        start = end + 1;
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
        }
      }
      // The chunk is read into again: keep the unfinished line as a copy.
      carry = start < data.length ? Buffer.from(data.subarray(start)) : undefined;
    }
    if (carry) take(carry, 0, carry.length);
    if (batch.length > 0) yield batch;
  } finally {
    await handle.close();
  }
}

/**
 * A category id as a folder name: kept when safe, else made safe and suffixed with a hash.
 *
 * @example
 * ```ts
 * categoryFolder('email-reply'); // 'email-reply'
 * categoryFolder('a/b'); // 'a_b-1f3c…'
 * ```
 */
export function categoryFolder(category: string): string {
  const safe = category.replace(/[^A-Za-z0-9._-]/g, '_');
  if (safe === category && safe !== '.' && safe !== '..') return safe;
  return `${safe.slice(0, 64)}-${contentId(category).slice(0, 8)}`;
}

const partName = (index: number) => `part-${String(index).padStart(5, '0')}.jsonl`;

async function readLog(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const end = text.lastIndexOf('\n') + 1;
  // A crash can tear only the last line of an append-only file; cut it off so
  // the next append starts on a line of its own.
  if (end < text.length) await truncate(path, Buffer.byteLength(text.slice(0, end), 'utf8'));
  return text
    .slice(0, end)
    .split('\n')
    .filter((l) => l !== '');
}

/**
 * The dataset's shard files, `shards/<category>/part-00000.jsonl`, behind a
 * write-ahead log.
 *
 * `append` makes rows durable with one append and one fsync of
 * `.tane/rows.log` (however many categories they belong to), then appends
 * them to their category's open part (a part is full at `shardSize` rows and
 * never touched again). `checkpoint` fsyncs the parts appended to and empties
 * the log; the sink checkpoints on flush and close, and whenever the log holds
 * `4 × shardSize` rows. A crash can leave an open part with a torn last line
 * or without its last rows: `load` cuts the torn line and appends again what
 * the log has and the part lacks, in log order, so the parts come out the
 * same. No row is kept in memory: memory does not grow with the dataset
 * beyond the set of written ids.
 *
 * The shards and the log are also the index of written ids: `load` reads them
 * back, so a restart never writes a row twice.
 *
 * @example
 * ```ts
 * const store = new ShardStore('dataset', 10_000);
 * await store.load((row) => tally.addRow(row), (problem) => logger.warn(problem));
 * await store.append(rows); // durable
 * await store.checkpoint(); // and in the shards
 * ```
 */
export class ShardStore implements RowSource {
  private readonly byCategory = new Map<string, CategoryShards>();
  /** Ids of the rows written (in the shards, or in the log and being appended to them). */
  private readonly written = new IdTable();
  private readonly logPath: string;
  private logRows = 0;
  /** Parts appended to since the last checkpoint, to fsync then. */
  private readonly unsynced = new Set<string>();
  /** `append`, `checkpoint` and `load` one after another. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly dir: string,
    readonly shardSize: number,
  ) {
    this.logPath = join(dir, '.tane', 'rows.log');
  }

  /** Number of rows written (durable, in shards or in the log). */
  get size(): number {
    return this.written.size;
  }

  has(id: string): boolean {
    return this.written.has(id);
  }

  /**
   * Reads the shards and the log, calling `onRow` for every row, removes
   * temporary files left by a crash, and checkpoints (so the shards hold every
   * row). Returns the number of rows.
   */
  async load(onRow: (row: DatasetRow) => void, onProblem: (message: string) => void): Promise<number> {
    const root = join(this.dir, 'shards');
    await mkdir(root, { recursive: true });
    await mkdir(join(this.dir, '.tane'), { recursive: true });
    const folders = (await readdir(root, { withFileTypes: true }))
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
    for (const folder of folders.sort()) {
      const names = await readdir(join(root, folder));
      for (const name of names.filter(isAtomicTempFile)) await rm(join(root, folder, name), { force: true });
      const parts = names
        .map((name) => ({ name, match: PART.exec(name) }))
        .filter((p) => p.match)
        .sort((a, b) => Number(a.match![1]) - Number(b.match![1]));
      let state: CategoryShards | undefined;
      for (const [i, part] of parts.entries()) {
        const path = join(root, folder, part.name);
        let content = await readFile(path);
        const last = i === parts.length - 1;
        if (last && content.length > 0 && content[content.length - 1] !== 0x0a) {
          // An append cut short by a crash: the torn row is still in the log, and goes in again below.
          content = content.subarray(0, content.lastIndexOf(0x0a) + 1);
          await truncate(path, content.length);
        }
        const lines = content.toString('utf8').split('\n');
        if (lines.at(-1) === '') lines.pop();
        const ids: string[] = [];
        let category: string | undefined;
        for (const [n, line] of lines.entries()) {
          let row: DatasetRow;
          try {
            row = JSON.parse(line) as DatasetRow;
          } catch {
            onProblem(`${path}:${n + 1} is not JSON; the line is kept but not counted`);
            ids.push('');
            continue;
          }
          category ??= row.category;
          ids.push(row.id);
          const known = this.written.size;
          if (this.written.add(row.id) < known) continue;
          onRow(row);
        }
        if (category === undefined) continue;
        state ??= this.stateFor(category, folder);
        state.parts.push({
          path: `shards/${folder}/${part.name}`,
          category,
          rows: lines.length,
          sha256: createHash('sha256').update(content).digest('hex'),
        });
        if (last && lines.length < this.shardSize) state.openHash = createHash('sha256').update(content);
      }
    }
    const logged = await readLog(this.logPath);
    this.logRows = logged.length;
    const missing: { row: DatasetRow; line: string }[] = [];
    const missingIds = new Set<string>();
    for (const line of logged) {
      let row: DatasetRow;
      try {
        row = JSON.parse(line) as DatasetRow;
      } catch {
        continue;
      }
      if (this.has(row.id) || missingIds.has(row.id)) continue;
      missingIds.add(row.id);
      missing.push({ row, line: `${line}\n` });
      onRow(row);
    }
    await this.appendToParts(missing);
    await this.checkpointNow();
    return this.size;
  }

  /**
   * Makes rows durable: appends those whose ids are not written yet to the log
   * and fsyncs it, then writes any part that filled up. After a failure, rows
   * not durable yet can simply be appended again.
   */
  append(rows: DatasetRow[]): Promise<void> {
    return this.serial(() => this.appendNow(rows));
  }

  private async appendNow(rows: DatasetRow[]): Promise<void> {
    const fresh: DatasetRow[] = [];
    const seen = new Set<string>();
    for (const row of rows) {
      if (this.has(row.id) || seen.has(row.id)) continue;
      seen.add(row.id);
      fresh.push(row);
    }
    if (fresh.length === 0) return;
    const lines = fresh.map((r) => `${JSON.stringify(r)}\n`);
    const handle = await open(this.logPath, 'a');
    try {
      await handle.write(lines.join(''));
      await handle.sync();
    } finally {
      await handle.close();
    }
    this.logRows += fresh.length;
    for (const row of fresh) this.written.add(row.id);
    await this.appendToParts(fresh.map((row, i) => ({ row, line: lines[i]! })));
    if (this.logRows >= this.shardSize * 4) await this.checkpointNow();
  }

  /** Makes the parts appended to durable (fsync), then empties the log. */
  checkpoint(): Promise<void> {
    return this.serial(() => this.checkpointNow());
  }

  private async checkpointNow(): Promise<void> {
    for (const path of [...this.unsynced].sort()) {
      const handle = await open(join(this.dir, path), 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      this.unsynced.delete(path);
    }
    if (this.logRows > 0) {
      await writeFileAtomic(this.logPath, '');
      this.logRows = 0;
    }
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
  }

  /** Every shard on disk, categories in name order, parts in order. */
  shards(): ShardInfo[] {
    return this.categories().flatMap((c) => this.byCategory.get(c.category)!.parts);
  }

  /** Categories with parts on disk, in name order, with their folder names. */
  categories(): { category: string; folder: string }[] {
    return [...this.byCategory.values()]
      .filter((s) => s.parts.length > 0)
      .sort((a, b) => (a.category < b.category ? -1 : a.category > b.category ? 1 : 0))
      .map((s) => ({ category: s.category, folder: s.folder }));
  }

  /**
   * The rows of a category's parts on disk, in order, in batches of up to
   * `batchSize`: each part is read in 1 MiB chunks up to the size it had when
   * its read began, so an update of the folder holds a batch of rows, not a
   * whole part (a 10,000-row part is ~40 MB of JSON and several times that as
   * objects).
   */
  async *rows(category: string, batchSize = ROW_BATCH): AsyncIterable<DatasetRow[]> {
    for (const part of this.byCategory.get(category)?.parts ?? []) {
      yield* readRowsInBatches(join(this.dir, part.path), batchSize);
    }
  }

  /** Reads the rows of one shard, all at once (prefer `rows()`, which reads in batches). */
  async readShard(shard: ShardInfo): Promise<DatasetRow[]> {
    const rows: DatasetRow[] = [];
    for await (const batch of readRowsInBatches(join(this.dir, shard.path), ROW_BATCH)) rows.push(...batch);
    return rows;
  }

  /** Appends rows to their categories' open parts, in order, starting a new part at `shardSize` rows. */
  private async appendToParts(rows: { row: DatasetRow; line: string }[]): Promise<void> {
    const byCategory = new Map<string, { row: DatasetRow; line: string }[]>();
    for (const r of rows) {
      const list = byCategory.get(r.row.category);
      if (list) list.push(r);
      else byCategory.set(r.row.category, [r]);
    }
    for (const [category, list] of byCategory) {
      const state = this.stateFor(category);
      let at = 0;
      while (at < list.length) {
        let last = state.parts.at(-1);
        if (!last || last.rows >= this.shardSize) {
          last = {
            path: `shards/${state.folder}/${partName(state.parts.length)}`,
            category,
            rows: 0,
            sha256: '',
          };
          state.parts.push(last);
          state.openHash = createHash('sha256');
          await mkdir(join(this.dir, 'shards', state.folder), { recursive: true });
        }
        const chunk = list.slice(at, at + this.shardSize - last.rows);
        const content = Buffer.from(chunk.map((c) => c.line).join(''), 'utf8');
        await appendFile(join(this.dir, last.path), content);
        this.unsynced.add(last.path);
        state.openHash!.update(content);
        last.rows += chunk.length;
        last.sha256 = state.openHash!.copy().digest('hex');
        if (last.rows >= this.shardSize) state.openHash = undefined;
        for (const c of chunk) this.written.add(c.row.id);
        at += chunk.length;
      }
    }
  }

  private stateFor(category: string, folder = categoryFolder(category)): CategoryShards {
    let state = this.byCategory.get(category);
    if (!state) {
      state = { category, folder, parts: [], openHash: undefined };
      this.byCategory.set(category, state);
    }
    return state;
  }
}
