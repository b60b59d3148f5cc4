import type { TaneRecord } from '@tane/core';
import { checkPluginDefinition, makeRecord, testPlugin } from '@tane/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import dedup from '../src/index.ts';

const INVOICE =
  '次の請求書から、請求元・請求先・請求書番号・請求日・支払期限・合計金額を抽出し、JSON形式で出力してください。';
const INVOICE_PARAPHRASE =
  '次の請求書より請求元、請求先、請求書番号、請求日、支払期限、合計金額を抽出して、JSON形式で出力してください';
const MINUTES = '次の会議の発言録から、決定事項と担当者、期限を箇条書きで整理してください。';

function candidate(id: string, instruction: string, category = 'invoice-extraction', input = ''): TaneRecord {
  return makeRecord({ id, type: 'candidate', category, data: { instruction, input, output: '…' } });
}
function seed(id: string, instruction: string, category = 'invoice-extraction'): TaneRecord {
  return makeRecord({ id, type: 'seed', category, data: { instruction, input: '', output: '…' } });
}

describe('@tane/plugin-dedup', () => {
  it('routes unique candidates to `unique` with an accepted outcome and duplicates to `duplicate`', async () => {
    const h = await testPlugin(dedup, { stage: 'dedup' });
    const out = await h.run([
      candidate('c1', INVOICE),
      candidate('c2', INVOICE_PARAPHRASE),
      candidate('c3', MINUTES),
      candidate(
        'c4',
        '「次の請求書から、請求元・請求先・請求書番号・請求日・支払期限・合計金額を抽出し、ＪＳＯＮ形式で出力してください」',
      ),
    ]);
    expect(out.byRoute.unique?.map((r) => r.id)).toEqual(['c1', 'c3']);
    expect(out.byRoute.unique?.[0]?.meta.outcome).toEqual({ status: 'accepted', stage: 'dedup' });
    const [near, exact] = out.byRoute.duplicate ?? [];
    expect(near?.meta.outcome).toMatchObject({
      status: 'duplicate',
      reason: 'near',
      detail: { duplicateOf: 'c1' },
      stage: 'dedup',
    });
    const similarity = (near!.meta.outcome as { detail: { similarity: number } }).detail.similarity;
    expect(similarity).toBeGreaterThanOrEqual(0.7);
    expect(exact?.meta.outcome).toMatchObject({
      status: 'duplicate',
      reason: 'exact',
      detail: { duplicateOf: 'c1', similarity: 1 },
    });
    expect(exact?.lineage.at(-1)).toEqual({ plugin: `${dedup.name}@${dedup.version}`, stage: 'dedup' });
  });

  it('keeps the rest of the record (id, data, earlier meta)', async () => {
    const h = await testPlugin(dedup);
    const input = { ...candidate('c1', MINUTES), meta: { judge: { score: 5 } } };
    const out = await h.run([input]);
    const record = out.byRoute.unique?.[0];
    expect(record?.id).toBe('c1');
    expect(record?.data).toEqual(input.data);
    expect(record?.meta.judge).toEqual({ score: 5 });
  });

  it('marks a candidate that near-duplicates a seed as a duplicate of that seed', async () => {
    const h = await testPlugin(dedup, { topics: { seeds: [seed('invoice-extraction-001', INVOICE)] } });
    const out = await h.run([candidate('c1', INVOICE_PARAPHRASE)]);
    expect(out.byRoute.duplicate?.[0]?.meta.outcome).toMatchObject({
      reason: 'near',
      detail: { duplicateOf: 'invoice-extraction-001' },
    });
  });

  it('rebuilds its index from the dataset topic, so a new run catches duplicates of an earlier one', async () => {
    const first = await testPlugin(dedup);
    const accepted =
      (await first.run([candidate('old-1', INVOICE), candidate('old-2', MINUTES)])).byRoute.unique ?? [];
    expect(accepted).toHaveLength(2);

    const second = await testPlugin(dedup, { topics: { dataset: accepted } });
    const out = await second.run([
      candidate('new-1', INVOICE_PARAPHRASE),
      candidate('new-2', 'Translate the notice into English.'),
    ]);
    expect(
      out.byRoute.duplicate?.map((r) => [
        r.id,
        (r.meta.outcome as { detail: { duplicateOf: string } }).detail.duplicateOf,
      ]),
    ).toEqual([['new-1', 'old-1']]);
    expect(out.byRoute.unique?.map((r) => r.id)).toEqual(['new-2']);
  });

  it('answers a replayed candidate that is already in the dataset with `unique` again', async () => {
    const h = await testPlugin(dedup, { topics: { dataset: [candidate('c1', INVOICE)] } });
    const out = await h.run([candidate('c1', INVOICE), candidate('c1', INVOICE)]);
    expect(out.byRoute.unique?.map((r) => r.id)).toEqual(['c1', 'c1']);
    expect(out.byRoute.duplicate).toBeUndefined();
  });

  it('keeps one index per category by default and one overall with scope global', async () => {
    const records = [candidate('c1', INVOICE, 'a'), candidate('c2', INVOICE, 'b')];
    const perCategory = await (await testPlugin(dedup)).run(records);
    expect(perCategory.byRoute.unique).toHaveLength(2);
    const global = await (await testPlugin(dedup, { config: { scope: 'global' } })).run(records);
    expect(global.byRoute.duplicate?.map((r) => r.id)).toEqual(['c2']);
  });

  it("applies Self-Instruct's ROUGE-L rule to Japanese with a character tokenizer", async () => {
    const records = [
      candidate('c1', '請求書の金額を抽出してください。'),
      candidate('c2', '請求書から金額を抽出してください'),
    ];
    const jaccard = await (await testPlugin(dedup)).run(records);
    expect(jaccard.byRoute.unique).toHaveLength(2);
    const rouge = await (await testPlugin(dedup, { config: { rougeL: { enabled: true } } })).run(records);
    expect(rouge.byRoute.duplicate?.[0]?.meta.outcome).toMatchObject({
      reason: 'near',
      detail: { duplicateOf: 'c1', metric: 'rougeL' },
    });
  });

  it('compares instructions only when configured, like Self-Instruct', async () => {
    const records = [
      candidate('c1', INVOICE, 'x', '株式会社みどり薬局 御中 合計 94,600円'),
      candidate('c2', INVOICE, 'x', '有限会社さくら工務店 御中 合計 1,250,000円'),
    ];
    expect((await (await testPlugin(dedup)).run(records)).byRoute.unique).toHaveLength(2);
    const out = await (await testPlugin(dedup, { config: { fields: ['instruction'] } })).run(records);
    expect(out.byRoute.duplicate?.map((r) => r.id)).toEqual(['c2']);
  });

  it('sends a record without an instruction to the dead-letter topic', async () => {
    const h = await testPlugin(dedup);
    const out = await h.run([makeRecord({ id: 'bad', type: 'candidate', data: { text: 'no instruction' } })]);
    expect(out.failed).toEqual([expect.objectContaining({ code: 'INPUT_INVALID' })]);
  });

  it('rejects bands × rows larger than numPerm at start', async () => {
    await expect(testPlugin(dedup, { config: { numPerm: 64 } })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
    await expect(testPlugin(dedup, { config: { threshold: 2 } })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
  });
});

// The harness tests above reach every route: what they saw must match the definition.
afterAll(() => expect(checkPluginDefinition(dedup, { behaviour: true })).toEqual([]));
