import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { memoryLogger } from '@tane/core';
import { makeRecord, testPlugin } from '@tane/testkit';
import { describe, expect, it } from 'vitest';
import sink, { type DatasetManifest } from '../src/index.ts';

const row = (id: string, category: string, source?: string) =>
  makeRecord({
    id,
    type: 'candidate',
    category,
    data: { instruction: `instruction ${id}`, input: '', output: `output ${id}` },
    meta: {
      category: { id: category, language: 'en' },
      outcome: { status: 'accepted', stage: 'dedup' },
      ...(source ? { import: { source: `${source}@0123abcd`, license: 'CC-BY-SA-3.0' } } : {}),
    },
  });

const fast = { flushEvery: 1000, flushIntervalMs: 5 };
const rows = [
  ...Array.from({ length: 40 }, (_, i) => row(`dolly-${i}`, i % 2 ? 'qa' : 'summary', 'dolly')),
  ...Array.from({ length: 20 }, (_, i) => row(`gen-${i}`, i % 2 ? 'qa' : 'summary')),
];

describe('dataset-sink mixture', () => {
  it('exports the mixture, keeps every row in the shards, and shows requested vs actual', async () => {
    const mixture = {
      seed: 7,
      total: 30,
      sources: { dolly: { weight: 2 }, generated: { weight: 1 }, oasst: {} },
    };
    const h = await testPlugin(sink, { config: { ...fast, formats: ['plain', 'parquet'], mixture } });
    await h.run(rows);
    await h.close();
    const dir = join(h.context.dataDir, 'datasets', 'test');
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as DatasetManifest;
    expect(manifest.totals.accepted).toBe(60);
    expect(manifest.mixture).toMatchObject({ rows: 30, accepted: 60, missingSources: ['oasst'] });
    // oasst has no rows: the weights 2 : 1 share the 30 among the sources that have some.
    expect(manifest.mixture?.sources.dolly).toMatchObject({
      available: 40,
      requested: 20,
      actual: 20,
      sampling: 'down',
    });
    expect(manifest.mixture?.sources.generated).toMatchObject({ available: 20, requested: 10, actual: 10 });
    const plain = readFileSync(join(dir, 'exports/plain.jsonl'), 'utf8').split('\n').filter(Boolean);
    expect(plain).toHaveLength(30);
    expect(manifest.exports.find((e) => e.format === 'parquet')?.rows).toBe(30);
    const card = readFileSync(join(dir, 'README.md'), 'utf8');
    expect(card).toContain('## Mixture');
    expect(card).toContain('| dolly | 2 |  | 40 | 20 | 20 | down |');
    expect(card).toContain('Named in the recipe but without accepted rows: `oasst`.');
  });

  it('warns once at start when some sources have a weight and others only a cap', async () => {
    const logger = memoryLogger();
    const mixture = { seed: 7, sources: { dolly: { weight: 0.7 }, generated: { cap: 5 } } };
    const h = await testPlugin(sink, { config: { ...fast, mixture }, logger });
    await h.run(rows);
    await h.close();
    const warned = logger.entries.filter((e) => e.level === 'warn' && e.msg.includes('no weight'));
    expect(warned).toHaveLength(1);
    expect(warned[0]?.msg).toContain("'generated' has no weight and counts as weight 1");
    const quiet = memoryLogger();
    const all = { seed: 7, sources: { dolly: { weight: 0.7 }, generated: { weight: 0.3, cap: 5 } } };
    await (await testPlugin(sink, { config: { ...fast, mixture: all }, logger: quiet })).close();
    expect(quiet.entries.filter((e) => e.msg.includes('no weight'))).toHaveLength(0);
  });

  it('refuses a recipe whose weights are all 0', async () => {
    await expect(
      testPlugin(sink, { config: { ...fast, mixture: { sources: { dolly: { weight: 0 } } } } }),
    ).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});
