import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readRows } from '../src/read-rows.ts';

const dir = mkdtempSync(join(tmpdir(), 'tane-json-array-'));
async function read(name: string, content: string | Buffer) {
  const file = join(dir, name);
  writeFileSync(file, content);
  const out: { where: string; fields?: Record<string, unknown>; error?: string }[] = [];
  for await (const r of readRows(file, 'json')) out.push(r);
  return out.map((r) => ({ ...r, where: r.where.slice(dir.length + 1) }));
}

describe('JSON array files', () => {
  it('streams the rows of a top-level array, one object each, a BOM and odd elements included', async () => {
    const rows = await read(
      'a.json',
      '\uFEFF [{"instruction":"a","output":"1"}, 7, {"instruction":"b","output":"2"}]\n',
    );
    expect(rows).toEqual([
      { fields: { instruction: 'a', output: '1' }, where: 'a.json[0]', row: 1 },
      { error: 'not a JSON object', where: 'a.json[1]', row: 2 },
      { fields: { instruction: 'b', output: '2' }, where: 'a.json[2]', row: 3 },
    ]);
  });

  it("reads an object's first array-valued property, and only that one", async () => {
    const rows = await read(
      'o.json',
      JSON.stringify({
        version: '1',
        meta: { tags: ['x'] },
        data: [{ q: 'a' }, { q: 'b' }],
        other: [{ q: 'z' }],
      }),
    );
    expect(rows.map((r) => r.fields)).toEqual([{ q: 'a' }, { q: 'b' }]);
  });

  it('keeps the rows before a syntax error and reports the error where it is', async () => {
    const rows = await read('bad.json', '[{"q":"a"},{"q":"b"},{"q": oops}]');
    expect(rows.slice(0, 2).map((r) => r.fields)).toEqual([{ q: 'a' }, { q: 'b' }]);
    expect(rows[2]).toMatchObject({ where: 'bad.json[2]' });
    expect(rows[2]?.error).toMatch(/^not valid JSON/);
    const cut = await read('cut.json', '[{"q":"a"},{"q":"b"');
    expect(cut.at(-1)?.error).toMatch(/^not valid JSON/);
  });

  it('refuses a file that holds no array of rows', async () => {
    expect((await read('s.json', '"just a string"'))[0]?.error).toMatch(/expected a JSON array/);
    expect((await read('n.json', '{"a":1}'))[0]?.error).toMatch(/expected a JSON array/);
  });

  it('streams a large gzipped array in bounded memory (rows are not all held)', async () => {
    const row = JSON.stringify({ instruction: 'i'.repeat(300), output: 'o'.repeat(1700) });
    const n = 60_000; // ~120 MB of JSON, 2 KB a row
    const text = `[${Array.from({ length: n }, () => row).join(',')}]`;
    const file = join(dir, 'big.json.gz');
    writeFileSync(file, gzipSync(text));
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    let count = 0;
    let peak = 0;
    for await (const r of readRows(file, 'json')) {
      if ('fields' in r) count++;
      if (count % 5000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed - before);
    }
    expect(count).toBe(n);
    // Held whole, the rows alone would be over 120 MB of heap.
    expect(peak).toBeLessThan(60 * 1024 * 1024);
  }, 60_000);
});
