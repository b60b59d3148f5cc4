import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TaneRecord } from '@tane/core';
import { makeRecord, testPipeline } from '@tane/testkit';
import { describe, expect, it } from 'vitest';

const fixtures = resolve(import.meta.dirname, 'fixtures');

function candidate(
  id: string,
  category: string,
  instruction: string,
  input: string,
  output: string,
): TaneRecord {
  return makeRecord({
    id,
    type: 'candidate',
    category,
    data: { instruction, input, output },
    meta: { category: { id: category, language: category.startsWith('en') ? 'en' : 'ja', target: 10 } },
  });
}

describe('decontaminate in a pipeline (dedup → decontaminate → dataset sink)', () => {
  it('removes planted overlaps as rejected/contaminated, keeps the rest, and the accounting balances', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tane-decontaminate-pipeline-'));
    const datasetDir = join(dir, 'dataset');
    writeFileSync(
      join(dir, 'pipeline.yaml'),
      `pipeline: decontaminate-test
version: 1
topics: { prefix: t., partitions: 2 }
inputs:
  generated: dedup
  dataset: sink
  rejected: sink
stages:
  dedup:
    plugin: "@tane/plugin-dedup@^0.1.0"
    routes: { unique: decontaminate, duplicate: topic:rejected }
  decontaminate:
    plugin: "@tane/plugin-decontaminate@^0.1.0"
    config:
      testSets:
        - { path: ${join(fixtures, 'jcommonsenseqa.json')} }
        - { path: ${join(fixtures, 'jsquad-valid.json')} }
        - { path: ${join(fixtures, 'en-reading.jsonl')}, format: jsonl, textFields: [question, answer], idField: id }
    routes: { clean: topic:dataset, contaminated: topic:rejected }
  sink:
    plugin: "@tane/plugin-dataset-sink@^0.1.0"
    config: { dir: ${datasetDir}, flushIntervalMs: 20, publishIntervalMs: 20 }
    routes: {}
`,
    );
    const generated = [
      candidate('c1', 'faq-answer', 'よくある質問に答えてください。', '会員登録は無料ですか。', '無料です。'),
      candidate(
        'c2',
        'faq-answer',
        '次の文章の要点をまとめてください。',
        'みどり川は架空の県北部の山地に源を発し、三つの町を流れて湾に注ぐ全長およそ八十キロメートルの河川である。',
        '県北部の川の説明。',
      ),
      candidate('c3', 'faq-answer', 'よくある質問に答えてください。', '会員登録は無料ですか。', '無料です。'),
      candidate(
        'c4',
        'en-reasoning',
        'Explain the decision.',
        'Why was the review moved?',
        'The room was booked.',
      ),
      candidate(
        'c5',
        'en-reasoning',
        'Explain the decision.',
        'The committee postponed the annual budget review because three of its five members were travelling.',
        'Most members were away.',
      ),
    ];
    const run = await testPipeline(join(dir, 'pipeline.yaml'), { inputs: { generated }, quietMs: 1500 });
    expect(run.dlq).toEqual([]);
    expect(run.topics.dataset?.map((r) => r.id).sort()).toEqual(['c1', 'c4']);
    const rejected = Object.fromEntries((run.topics.rejected ?? []).map((r) => [r.id, r.meta.outcome]));
    expect(rejected.c3).toMatchObject({ status: 'duplicate' });
    expect(rejected.c2).toMatchObject({
      status: 'rejected',
      reason: 'contaminated',
      detail: { benchmark: 'jsquad' },
    });
    expect(rejected.c5).toMatchObject({
      status: 'rejected',
      reason: 'contaminated',
      detail: { itemId: 'en-1' },
    });

    const manifest = JSON.parse(readFileSync(join(datasetDir, 'manifest.json'), 'utf8'));
    expect(manifest.totals).toMatchObject({ generated: 5, accepted: 2, rejected: 2, duplicates: 1, dlq: 0 });
    expect(manifest.balanced).toBe(true);
    const card = readFileSync(join(datasetDir, 'README.md'), 'utf8');
    expect(card).toContain('## Benchmark decontamination');
    expect(card).toContain('4 rows were checked against the test sets by n-gram overlap; 2 were removed');
    expect(card).toMatch(/\| jsquad \| 4 \| 1 \| `みどり川\/0`: “みどり川は/);
    expect(card).toMatch(/\| en-reading \| 4 \| 1 \| `en-1`/);
    const rejectedRows = readFileSync(join(datasetDir, 'rejected.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rejectedRows.map((r: { meta: { outcome: { reason: string } } }) => r.meta.outcome.reason)).toEqual(
      ['contaminated', 'contaminated'],
    );
  });
});
