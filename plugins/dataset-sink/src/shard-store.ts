import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rm, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { contentId } from '@tane/core';
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
  /** Rows of the open (last, partial) part: on disk and/or only in the log. */
  openLines: string[];
  openIds: string[];
  /** The open part has rows that are only in the log. */
  dirty: boolean;
}

const PART = /^part-(\d{5,})\.jsonl$/;

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
 * `.tane/rows.log` (however many categories they belong to). Shard parts are
 * written atomically (temporary file, fsync, rename) when a part fills up
 * (`shardSize` rows, never touched again) and by `checkpoint`, which writes
 * the open parts and empties the log; the sink checkpoints on flush and close,
 * and whenever the log holds `4 × shardSize` rows. Rewriting every open part
 * at every group commit instead would write each row up to `shardSize /
 * flushEvery` times over.
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
  private readonly inShards = new Set<string>();
  private readonly inLog = new Set<string>();
  private readonly logPath: string;
  private logRows = 0;

  constructor(
    readonly dir: string,
    readonly shardSize: number,
  ) {
    this.logPath = join(dir, '.tane', 'rows.log');
  }

  /** Number of rows written (durable, in shards or in the log). */
  get size(): number {
    return this.inShards.size + this.inLog.size;
  }

  has(id: string): boolean {
    return this.inShards.has(id) || this.inLog.has(id);
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
        const content = await readFile(path);
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
          if (this.inShards.has(row.id)) continue;
          this.inShards.add(row.id);
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
        if (i === parts.length - 1 && lines.length < this.shardSize) {
          state.openLines = lines.map((l) => `${l}\n`);
          state.openIds = ids;
        }
      }
    }
    const logged = await readLog(this.logPath);
    this.logRows = logged.length;
    for (const line of logged) {
      let row: DatasetRow;
      try {
        row = JSON.parse(line) as DatasetRow;
      } catch {
        continue;
      }
      if (this.has(row.id)) continue;
      this.addToOpenPart(row, `${line}\n`);
      onRow(row);
    }
    await this.checkpoint();
    return this.size;
  }

  /**
   * Makes rows durable: appends those whose ids are not written yet to the log
   * and fsyncs it, then writes any part that filled up. After a failure, rows
   * not durable yet can simply be appended again.
   */
  async append(rows: DatasetRow[]): Promise<void> {
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
    const filled = new Set<CategoryShards>();
    fresh.forEach((row, i) => {
      const state = this.addToOpenPart(row, lines[i]!);
      if (state.openLines.length >= this.shardSize) filled.add(state);
    });
    for (const state of filled) await this.writeFullParts(state);
    if (this.logRows >= this.shardSize * 4) await this.checkpoint();
  }

  /** Writes every open part that has rows only in the log, then empties the log. */
  async checkpoint(): Promise<void> {
    for (const state of this.byCategory.values()) {
      if (!state.dirty) continue;
      await this.writePart(state, state.openLines, state.openIds, this.openIndex(state));
      state.dirty = false;
    }
    if (this.logRows > 0) {
      await writeFileAtomic(this.logPath, '');
      this.logRows = 0;
    }
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

  /** The rows of a category's parts on disk, one part at a time. */
  async *rows(category: string): AsyncIterable<DatasetRow[]> {
    for (const part of this.byCategory.get(category)?.parts ?? []) yield await this.readShard(part);
  }

  /** Reads the rows of one shard. */
  async readShard(shard: ShardInfo): Promise<DatasetRow[]> {
    const text = await readFile(join(this.dir, shard.path), 'utf8');
    const rows: DatasetRow[] = [];
    for (const line of text.split('\n')) {
      if (line === '') continue;
      try {
        rows.push(JSON.parse(line) as DatasetRow);
      } catch {
        // reported by load
      }
    }
    return rows;
  }

  private addToOpenPart(row: DatasetRow, line: string): CategoryShards {
    const state = this.stateFor(row.category);
    state.openLines.push(line);
    state.openIds.push(row.id);
    state.dirty = true;
    this.inLog.add(row.id);
    return state;
  }

  /** Index of the open part: the last part on disk if it is partial, else a new one. */
  private openIndex(state: CategoryShards): number {
    const last = state.parts.at(-1);
    return last && last.rows < this.shardSize ? state.parts.length - 1 : state.parts.length;
  }

  private async writeFullParts(state: CategoryShards): Promise<void> {
    while (state.openLines.length >= this.shardSize) {
      const lines = state.openLines.slice(0, this.shardSize);
      const ids = state.openIds.slice(0, this.shardSize);
      await this.writePart(state, lines, ids, this.openIndex(state));
      state.openLines = state.openLines.slice(this.shardSize);
      state.openIds = state.openIds.slice(this.shardSize);
      state.dirty = state.openLines.length > 0;
    }
  }

  private async writePart(
    state: CategoryShards,
    lines: string[],
    ids: string[],
    index: number,
  ): Promise<void> {
    if (lines.length === 0) return;
    await mkdir(join(this.dir, 'shards', state.folder), { recursive: true });
    const content = Buffer.from(lines.join(''), 'utf8');
    const path = `shards/${state.folder}/${partName(index)}`;
    await writeFileAtomic(join(this.dir, path), content);
    const info: ShardInfo = {
      path,
      category: state.category,
      rows: lines.length,
      sha256: createHash('sha256').update(content).digest('hex'),
    };
    if (index < state.parts.length) state.parts[index] = info;
    else state.parts.push(info);
    for (const id of ids) {
      if (!id) continue;
      this.inLog.delete(id);
      this.inShards.add(id);
    }
  }

  private stateFor(category: string, folder = categoryFolder(category)): CategoryShards {
    let state = this.byCategory.get(category);
    if (!state) {
      state = { category, folder, parts: [], openLines: [], openIds: [], dirty: false };
      this.byCategory.set(category, state);
    }
    return state;
  }
}
