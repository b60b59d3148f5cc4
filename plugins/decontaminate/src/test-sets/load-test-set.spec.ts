import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { benchmarkNameOf, loadTestSet } from './load-test-set.ts';

const fixtures = resolve(import.meta.dirname, '../../test/fixtures');

describe('loadTestSet', () => {
  it('reads an llm-jp-eval task file: one item per sample, few-shots only when asked', async () => {
    const set = await loadTestSet({ path: join(fixtures, 'jcommonsenseqa.json') });
    expect(set).toMatchObject({ benchmark: 'jcommonsenseqa', format: 'llm-jp-eval' });
    expect(set.items.map((i) => i.id)).toEqual(['samples[0]', 'samples[1]', 'samples[2]']);
    expect(set.items[0]?.texts.map((t) => t.field)).toEqual(['input', 'output']);
    const withShots = await loadTestSet({
      path: join(fixtures, 'jcommonsenseqa.json'),
      includeFewShots: true,
    });
    expect(withShots.items.at(-1)?.id).toBe('few_shots[0]');
  });

  it('reads JGLUE JSON lines with their own ids and text fields', async () => {
    const set = await loadTestSet({ path: join(fixtures, 'jnli-valid.jsonl'), name: 'jnli' });
    expect(set.format).toBe('jglue');
    expect(set.items[0]).toMatchObject({ benchmark: 'jnli', id: 'j-101' });
    expect(set.items[0]?.texts.map((t) => t.field)).toEqual(['sentence1', 'sentence2']);
  });

  it('reads a SQuAD-style file: paragraphs and questions', async () => {
    const set = await loadTestSet({ path: join(fixtures, 'jsquad-valid.json') });
    expect(set.format).toBe('squad');
    expect(set.benchmark).toBe('jsquad');
    expect(set.items.map((i) => i.id)).toEqual(['みどり川/0', 'a1000p0q0']);
    expect(set.items[1]?.texts.map((t) => t.field)).toEqual(['question', 'answer']);
  });

  it('reads plain JSON lines with named text and id fields', async () => {
    const set = await loadTestSet({
      path: join(fixtures, 'en-reading.jsonl'),
      format: 'jsonl',
      textFields: ['question', 'answer'],
      idField: 'id',
    });
    expect(set.items.map((i) => i.id)).toEqual(['en-1', 'en-2', 'en-3', 'en-4']);
  });

  it('says where a file is broken and what to do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tane-testset-'));
    writeFileSync(join(dir, 'bad.jsonl'), '{"text": "ok"}\n{"text": oops}\n');
    await expect(loadTestSet({ path: join(dir, 'bad.jsonl'), format: 'jsonl' })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      where: `${join(dir, 'bad.jsonl')}:2`,
    });
    await expect(loadTestSet({ path: join(dir, 'missing.json') })).rejects.toMatchObject({
      code: 'CONFIG_NOT_FOUND',
      hint: expect.stringContaining('never downloaded'),
    });
    writeFileSync(join(dir, 'empty.jsonl'), '{"prompt": "x"}\n');
    await expect(loadTestSet({ path: join(dir, 'empty.jsonl'), format: 'jsonl' })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      hint: expect.stringContaining('textFields'),
    });
  });

  it('names a benchmark after its file without version and split', () => {
    expect(benchmarkNameOf('/x/jcommonsenseqa-v1.1-valid.json')).toBe('jcommonsenseqa');
    expect(benchmarkNameOf('jsquad.json')).toBe('jsquad');
    expect(benchmarkNameOf('chabsa_test.jsonl')).toBe('chabsa');
  });
});
