import { createHash } from 'node:crypto';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DatasetRow } from './dataset-row.ts';
import { categoryFolder, ShardStore } from './shard-store.ts';

const row = (id: string, category = 'email-reply'): DatasetRow => ({
  id,
  category,
  instruction: `指示 ${id}`,
  input: '',
  output: `出力 ${id}`,
  meta: { repairs: 0 },
  lineage: [],
});

const lines = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean);

describe('ShardStore', () => {
  it('rolls over to a new part at shardSize and writes each row once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shards-'));
    const store = new ShardStore(dir, 3);
    await store.load(
      () => {},
      () => {},
    );
    await store.append(['a', 'b', 'c', 'd'].map((id) => row(id)));
    await store.append(['d', 'e', 'f', 'g', 'e'].map((id) => row(id)));
    const folder = join(dir, 'shards', 'email-reply');
    // Rows go to their part at once (no row waits in memory); a checkpoint makes the parts durable.
    expect(readdirSync(folder).sort()).toEqual(['part-00000.jsonl', 'part-00001.jsonl', 'part-00002.jsonl']);
    await store.checkpoint();
    expect(readdirSync(folder).sort()).toEqual(['part-00000.jsonl', 'part-00001.jsonl', 'part-00002.jsonl']);
    expect(lines(join(folder, 'part-00000.jsonl')).map((l) => JSON.parse(l).id)).toEqual(['a', 'b', 'c']);
    expect(lines(join(folder, 'part-00001.jsonl')).map((l) => JSON.parse(l).id)).toEqual(['d', 'e', 'f']);
    expect(lines(join(folder, 'part-00002.jsonl')).map((l) => JSON.parse(l).id)).toEqual(['g']);
    expect(store.shards().map((s) => [s.path, s.rows])).toEqual([
      ['shards/email-reply/part-00000.jsonl', 3],
      ['shards/email-reply/part-00001.jsonl', 3],
      ['shards/email-reply/part-00002.jsonl', 1],
    ]);
  });

  it('reloads ids and the open part after a restart, and cleans temporary files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shards-'));
    const first = new ShardStore(dir, 3);
    await first.load(
      () => {},
      () => {},
    );
    await first.append([row('a'), row('b'), row('c'), row('d')]);
    await first.checkpoint();
    writeFileSync(join(dir, 'shards', 'email-reply', '.part-00001.jsonl.123.x.tmp'), '{"torn');

    const second = new ShardStore(dir, 3);
    const seen: string[] = [];
    expect(
      await second.load(
        (r) => seen.push(r.id),
        () => {},
      ),
    ).toBe(4);
    expect(seen).toEqual(['a', 'b', 'c', 'd']);
    expect(second.has('d')).toBe(true);
    await second.append([row('a'), row('e'), row('f')]);
    await second.checkpoint();
    const folder = join(dir, 'shards', 'email-reply');
    expect(readdirSync(folder).sort()).toEqual(['part-00000.jsonl', 'part-00001.jsonl']);
    expect(lines(join(folder, 'part-00001.jsonl')).map((l) => JSON.parse(l).id)).toEqual(['d', 'e', 'f']);
    expect(second.shards()[1]!.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps categories in separate folders, with unsafe names made safe', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shards-'));
    const store = new ShardStore(dir, 10);
    await store.load(
      () => {},
      () => {},
    );
    await store.append([row('a', 'b'), row('b', 'a'), row('c', '../x')]);
    await store.checkpoint();
    expect(store.categories().map((c) => c.category)).toEqual(['../x', 'a', 'b']);
    expect(categoryFolder('../x')).toMatch(/^\.\._x-[0-9a-f]{8}$/);
    expect(readdirSync(join(dir, 'shards')).sort()).toEqual([categoryFolder('../x'), 'a', 'b'].sort());
  });

  it('after a crash mid-append, cuts the torn line of the open part and appends what the log has and the part lacks, in log order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shards-'));
    const crashed = new ShardStore(dir, 10);
    await crashed.load(
      () => {},
      () => {},
    );
    await crashed.append([row('a'), row('b')]);
    const part = join(dir, 'shards', 'email-reply', 'part-00000.jsonl');
    const log = join(dir, '.tane', 'rows.log');
    // The next append made c and d durable in the log, wrote half of c to the part and died;
    // its last log line is torn too (an append after that one was cut short).
    appendFileSync(log, `${JSON.stringify(row('c'))}\n${JSON.stringify(row('d'))}\n{"id":"e","cat`);
    appendFileSync(part, JSON.stringify(row('c')).slice(0, 20));

    const restarted = new ShardStore(dir, 10);
    const seen: string[] = [];
    const problems: string[] = [];
    await restarted.load(
      (r) => seen.push(r.id),
      (p) => problems.push(p),
    );
    expect(seen).toEqual(['a', 'b', 'c', 'd']);
    expect(problems).toEqual([]);
    expect(lines(part).map((l) => JSON.parse(l).id)).toEqual(['a', 'b', 'c', 'd']);
    expect(readFileSync(log, 'utf8')).toBe('');
    await restarted.append([row('b'), row('e')]);
    await restarted.checkpoint();
    expect(lines(part).map((l) => JSON.parse(l).id)).toEqual(['a', 'b', 'c', 'd', 'e']);
    // The manifest's hash is the hash of the part as it is on disk.
    expect(restarted.shards()[0]!.sha256).toBe(createHash('sha256').update(readFileSync(part)).digest('hex'));
  });

  it('checkpoints by itself when the log holds four shards of rows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shards-'));
    const store = new ShardStore(dir, 2);
    await store.load(
      () => {},
      () => {},
    );
    const cats = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    await store.append(cats.map((c) => row(`r-${c}`, c)));
    expect(store.shards()).toHaveLength(8);
    expect(readFileSync(join(dir, '.tane', 'rows.log'), 'utf8')).toBe('');
  });

  it('reads a category back in batches, across read chunks, the same rows in order as on disk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shards-'));
    const store = new ShardStore(dir, 400);
    await store.load(
      () => {},
      () => {},
    );
    // ~3 KB of Japanese per row: 1,000 rows span several 1 MiB read chunks, and a line straddles each edge.
    const long = (id: string): DatasetRow => ({
      ...row(id),
      output: `出力 ${id} ${'長い文章。'.repeat(200)}`,
    });
    const written = Array.from({ length: 1_000 }, (_, i) => long(`r${i}`));
    await store.append(written);
    await store.checkpoint();
    const batches: DatasetRow[][] = [];
    for await (const batch of store.rows('email-reply', 64)) batches.push(batch);
    expect(batches.every((b) => b.length > 0 && b.length <= 64)).toBe(true);
    expect(batches.flat()).toEqual(written);
    const onDisk = store
      .shards()
      .flatMap((s) => lines(join(dir, s.path)))
      .map((l) => JSON.parse(l));
    expect(batches.flat()).toEqual(onDisk);
    // A torn last line (a crash mid-append) is left out, as load reports it.
    appendFileSync(join(dir, store.shards().at(-1)!.path), '{"id":"torn","categ');
    const again: DatasetRow[] = [];
    for await (const batch of store.rows('email-reply')) again.push(...batch);
    expect(again).toEqual(written);
    expect(
      await (async () => {
        let n = 0;
        for await (const b of store.rows('other')) n += b.length;
        return n;
      })(),
    ).toBe(0);
  });
});
