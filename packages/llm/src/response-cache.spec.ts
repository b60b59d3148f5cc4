import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { canonicalJson } from '@tane/core';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CacheKeyParts, ResponseCache, responseCacheKey } from './response-cache.ts';

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

describe('responseCacheKey', () => {
  const reference = (parts: CacheKeyParts) =>
    createHash('sha256')
      .update(
        canonicalJson({
          v: 1,
          model: parts.model,
          params: parts.params ?? {},
          messages: parts.messages.map((m) => ({ role: m.role, content: m.content })),
          format: parts.format,
        }),
      )
      .digest('hex');

  it('is the hash of the canonical call, so caches written before stay valid', () => {
    const schema = { type: 'object', required: ['score'], properties: { score: { type: 'integer' } } };
    const parts: CacheKeyParts = {
      model: 'mixtral',
      params: { temperature: 0.7, max_tokens: 512, seed: 3 },
      messages: [
        { role: 'system', content: 'あなたは審査員です。"引用"\n' },
        { role: 'user', content: 'Judge this.' },
      ],
      format: { name: 'verdict', schema },
    };
    expect(responseCacheKey(parts)).toBe('bc3885e6695baa911393a417b4d5df616ff7e081a658d520aa9a0126ed419dd8');
    expect(responseCacheKey({ ...parts, format: null, params: undefined })).toBe(
      reference({ ...parts, format: null, params: undefined }),
    );
  });

  it('matches the canonical form for any messages, params and schema', () => {
    const text = fc.string({ unit: 'binary', maxLength: 40 });
    fc.assert(
      fc.property(
        fc.record({
          model: text,
          params: fc.option(
            fc.record(
              {
                temperature: fc.double({ noNaN: true, noDefaultInfinity: true }),
                stop: fc.array(text),
                seed: fc.integer(),
              },
              { requiredKeys: [] },
            ),
            { nil: undefined },
          ),
          messages: fc.array(
            fc.record({ role: fc.constantFrom('system', 'user', 'assistant'), content: text }),
          ),
          format: fc.option(fc.record({ name: text, schema: fc.object() }), { nil: null }),
        }),
        (parts) => {
          const p = parts as CacheKeyParts;
          expect(responseCacheKey(p)).toBe(reference(p));
          // the schema text is remembered per object: asking again gives the same key
          expect(responseCacheKey(p)).toBe(reference(p));
        },
      ),
    );
  });
});
