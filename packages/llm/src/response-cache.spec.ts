import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ResponseCache } from './response-cache.ts';

const reply = (content: string) => ({ content, model: 'm', promptTokens: 3, completionTokens: 4 });

/** What another process would read from the file. */
function stored(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT key FROM llm_responses ORDER BY key').all() as { key: string }[]).map(
      (r) => r.key,
    );
  } finally {
    db.close();
  }
}

describe('ResponseCache', () => {
  it('writes the replies of one event-loop turn together at its end, and answers them before that', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tane-cache-')), 'llm-cache.db');
    const cache = new ResponseCache(path);
    for (let i = 0; i < 100; i++) cache.put(`k${String(i).padStart(3, '0')}`, reply(`r${i}`));
    expect(cache.get('k007')).toEqual(reply('r7'));
    expect(stored(path)).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(stored(path)).toHaveLength(100);
    expect(cache.get('k099')).toEqual(reply('r99'));
    cache.close();
  });

  it('keeps the replies of the last turn when the process exits before the turn ends', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tane-cache-')), 'llm-cache.db');
    const module = pathToFileURL(join(import.meta.dirname, 'response-cache.ts')).href;
    const script = `const { ResponseCache } = await import(${JSON.stringify(module)});
      const cache = new ResponseCache(${JSON.stringify(path)});
      cache.put('paid', { content: 'x', model: 'm', promptTokens: 1, completionTokens: 1 });
      process.exit(0);`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      cwd: join(import.meta.dirname, '..'),
    });
    expect(r.status, r.stderr).toBe(0);
    expect(stored(path)).toEqual(['paid']);
  });
});
