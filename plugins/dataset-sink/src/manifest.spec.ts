import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderDatasetCard } from './dataset-card.ts';
import { DatasetTally } from './dataset-tally.ts';
import { buildManifest } from './manifest.ts';
import { formatDatasetSummary, summariseDataset } from './summarise-dataset.ts';

function tally(): DatasetTally {
  const t = new DatasetTally();
  t.addRow({
    id: 'a',
    category: 'email-reply',
    instruction: 'メールに返信してください',
    input: '件名: 納期',
    output: 'お世話になっております。',
    language: 'ja',
    meta: { repairs: 1, judge: { score: 5 }, generation: { model: 'mistralai/Mixtral-8x22B-Instruct-v0.1' } },
    lineage: [{ plugin: '@tane/plugin-mixtral-generator@0.1.0', stage: 'generator' }],
  });
  t.addOutcome({
    id: 'b',
    category: 'email-reply',
    status: 'duplicate',
    reason: 'near',
    repairs: 0,
    score: 4,
  });
  t.setTarget('email-reply', 50);
  return t;
}

const base = {
  runId: 'demo',
  pipeline: 'ja-business',
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-02T00:00:00.000Z',
};

describe('buildManifest', () => {
  it('puts accounting, lineage and shards together', () => {
    const m = buildManifest({ ...base, generated: { 'email-reply': 2 }, tally: tally(), shards: [] });
    expect(m).toMatchObject({
      runId: 'demo',
      pipeline: 'ja-business',
      models: ['mistralai/Mixtral-8x22B-Instruct-v0.1'],
      plugins: ['@tane/plugin-mixtral-generator@0.1.0'],
      balanced: true,
      categories: {
        'email-reply': { generated: 2, accepted: 1, duplicates: 1, repaired: 1, target: 50, language: 'ja' },
      },
      totals: { generated: 2, accepted: 1 },
    });
  });

  it('is not balanced when a generated candidate has no outcome, or when generated is unknown', () => {
    expect(
      buildManifest({ ...base, generated: { 'email-reply': 3 }, tally: tally(), shards: [] }).balanced,
    ).toBe(false);
    const unknown = buildManifest({
      ...base,
      generated: {},
      generatedKnown: false,
      tally: tally(),
      shards: [],
    });
    expect(unknown.balanced).toBe(false);
    expect(unknown.categories['email-reply']!.balanced).toBe(false);
  });
});

describe('renderDatasetCard', () => {
  it('has card metadata, the category table, score distribution, lineage and loading code', () => {
    const m = buildManifest({
      ...base,
      generated: { 'email-reply': 2 },
      tally: tally(),
      shards: [],
      exports: [{ format: 'plain', path: 'exports/plain.jsonl', rows: 1 }],
    });
    const card = renderDatasetCard(m, { license: 'cc-by-4.0' });
    expect(card.startsWith('---\npretty_name: "ja-business"\nlanguage:\n- ja\nlicense: cc-by-4.0')).toBe(
      true,
    );
    expect(card).toContain('| email-reply | ja | 50 | 2 | 1 | 1 | 0 | 0 | 1 | 0 |');
    expect(card).toContain('| email-reply | 0 | 0 | 0 | 1 | 1 | 0 | 0 | 0 | 0 | 1 |');
    expect(card).toContain('`mistralai/Mixtral-8x22B-Instruct-v0.1`');
    expect(card).toContain('load_dataset("json", data_files="exports/plain.jsonl"');
    expect(card).toContain('Below target: `email-reply` (1/50).');
  });
});

describe('summariseDataset', () => {
  it('reads the manifest and prints one line per category with a total', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'summary-'));
    const m = buildManifest({ ...base, generated: { 'email-reply': 3 }, tally: tally(), shards: [] });
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
    const summary = await summariseDataset(dir);
    expect(summary.categories).toEqual([
      {
        category: 'email-reply',
        target: 50,
        generated: 3,
        accepted: 1,
        repaired: 1,
        rejected: 0,
        duplicates: 1,
        dlq: 0,
        balanced: false,
      },
    ]);
    const table = formatDatasetSummary(summary);
    expect(table.split('\n')[0]).toMatch(
      /^category\s+target\s+generated\s+accepted\s+repaired\s+rejected\s+duplicates\s+dlq$/,
    );
    expect(table).toMatch(/email-reply !\s+50\s+3\s+1\s+1\s+0\s+1\s+0/);
    expect(table).toMatch(/total !\s+50\s+3\s+1/);
  });

  it('says what to do when the folder has no manifest', async () => {
    await expect(summariseDataset(mkdtempSync(join(tmpdir(), 'none-')))).rejects.toMatchObject({
      code: 'DATASET_NOT_FOUND',
    });
  });
});
