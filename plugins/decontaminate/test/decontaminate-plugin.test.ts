import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { memoryLogger, type TaneRecord } from '@tane/core';
import { checkPluginDefinition, makeRecord, testPlugin } from '@tane/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import decontaminate from '../src/index.ts';

const fixtures = resolve(import.meta.dirname, 'fixtures');
const testSets = [
  { path: join(fixtures, 'jcommonsenseqa.json') },
  { path: join(fixtures, 'jsquad-valid.json') },
  { path: join(fixtures, 'jnli-valid.jsonl'), name: 'jnli' },
  {
    path: join(fixtures, 'en-reading.jsonl'),
    format: 'jsonl',
    textFields: ['question', 'answer'],
    idField: 'id',
  },
];

function row(id: string, instruction: string, input = '', output = '…'): TaneRecord {
  return makeRecord({
    id,
    type: 'candidate',
    category: 'faq-answer',
    data: { instruction, input, output },
    meta: { outcome: { status: 'accepted', stage: 'dedup' } },
  });
}

describe('@tane/plugin-decontaminate', () => {
  it('sends rows that quote a test item to `contaminated` with benchmark, item and span; others to `clean`', async () => {
    const h = await testPlugin(decontaminate, { stage: 'decontaminate', config: { testSets } });
    const out = await h.run([
      row(
        'ja-clean',
        '次の問い合わせに、丁寧な敬語で回答してください。',
        '返品の送料はどちらの負担になりますか。',
      ),
      row(
        'ja-planted',
        '次の文章を読んで質問に答えてください。',
        'みどり川は架空の県北部の山地に源を発し、三つの町を流れて湾に注ぐ。流域で盛んな産業は?',
      ),
      row(
        'ja-question',
        '以下の問題に答えよ。',
        '',
        '質問:雨の日に駅の改札を出たあと、多くの人がまず開くものは傘です。',
      ),
      row('en-clean', 'Write a short reply to the customer.', 'Where is my order?', 'It ships tomorrow.'),
      row(
        'en-planted',
        'Solve the word problem.',
        'A bakery sells loaves of bread for four dollars each and gives a discount of one dollar on every third loaf.',
        'Three loaves cost eleven dollars.',
      ),
    ]);
    expect(out.byRoute.clean?.map((r) => r.id)).toEqual(['ja-clean', 'en-clean']);
    expect(out.byRoute.clean?.[0]?.meta.outcome).toEqual({ status: 'accepted', stage: 'dedup' });
    const outcomes = Object.fromEntries((out.byRoute.contaminated ?? []).map((r) => [r.id, r.meta.outcome]));
    expect(outcomes['ja-planted']).toMatchObject({
      status: 'rejected',
      reason: 'contaminated',
      stage: 'decontaminate',
      detail: {
        benchmark: 'jsquad',
        itemId: 'みどり川/0',
        field: 'input',
        span: 'みどり川は架空の県北部の山地に源を発し、三つの町を流れて湾に注ぐ',
      },
    });
    expect(outcomes['ja-question']).toMatchObject({
      detail: { benchmark: 'jcommonsenseqa', itemId: 'samples[1]', field: 'output' },
    });
    expect(outcomes['en-planted']).toMatchObject({
      detail: { benchmark: 'en-reading', itemId: 'en-2', ngram: { mode: 'word', n: 13 } },
    });
    const last = out.byRoute.contaminated?.[0]?.lineage.at(-1);
    expect(last).toEqual({
      plugin: `${decontaminate.name}@${decontaminate.version}`,
      stage: 'decontaminate',
    });
    await h.close();
  });

  it('checks only the configured fields', async () => {
    const quoted = row(
      'r',
      'Solve it.',
      '',
      'A bakery sells loaves of bread for four dollars each and gives a discount of one dollar on every third loaf',
    );
    const all = await (await testPlugin(decontaminate, { config: { testSets } })).run([quoted]);
    expect(all.byRoute.contaminated).toHaveLength(1);
    const noOutput = await (
      await testPlugin(decontaminate, { config: { testSets, fields: ['instruction', 'input'] } })
    ).run([quoted]);
    expect(noOutput.byRoute.clean).toHaveLength(1);
  });

  it('keeps the built index in cacheFile and reads it on the next start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tane-decontaminate-'));
    const cacheFile = join(dir, 'jaster.idx');
    const logger = memoryLogger();
    for (let i = 0; i < 2; i++) {
      const h = await testPlugin(decontaminate, { config: { testSets, cacheFile }, logger });
      const out = await h.run([
        row('x', '質問:図書館で本を借りるときに、カウンターで見せる必要があるものは?'),
      ]);
      expect(out.byRoute.contaminated).toHaveLength(1);
      await h.close();
    }
    const ready = logger.entries.filter((e) => e.msg === 'decontamination index ready');
    expect(ready.map((e) => e.fields.fromCache)).toEqual([false, true]);
  });

  it('stops at start on a missing test set, and dead-letters a record without an instruction', async () => {
    await expect(
      testPlugin(decontaminate, { config: { testSets: [{ path: join(fixtures, 'nope.json') }] } }),
    ).rejects.toMatchObject({ code: 'CONFIG_NOT_FOUND' });
    await expect(testPlugin(decontaminate, { config: {} })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    const h = await testPlugin(decontaminate, { config: { testSets } });
    const out = await h.run([makeRecord({ id: 'bad', type: 'candidate', data: { text: 'x' } })]);
    expect(out.failed).toEqual([expect.objectContaining({ code: 'INPUT_INVALID' })]);
  });
});

// The harness tests above reach every route: what they saw must match the definition.
afterAll(() => expect(checkPluginDefinition(decontaminate, { behaviour: true })).toEqual([]));
