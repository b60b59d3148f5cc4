import { INPUT_LIMITS } from '@tane/core';
import { describe, expect, it } from 'vitest';
import { readInputRecords } from './input-records.ts';

const seed = (fields: Record<string, unknown>) =>
  JSON.stringify({ category: 'summary', instruction: '要約してください。', output: '要約です。', ...fields });

describe('readInputRecords size limits', () => {
  it('refuses a seed with a 10 MB field, naming file:line and the field, and keeps the other lines', () => {
    const text = [
      seed({}),
      seed({ input: 'あ'.repeat(10_000_000) }),
      seed({ instruction: '別の指示です。' }),
    ].join('\n');
    const items = readInputRecords('seeds.jsonl', text, 'seed');
    expect(items.filter((i) => 'record' in i)).toHaveLength(2);
    const bad = items.find((i) => 'error' in i) as { where: string; error: string };
    expect(bad.where).toBe('seeds.jsonl:2');
    expect(bad.error).toContain('more than the limit of 1048576');
  });

  it('refuses a field over the field limit inside a line that fits', () => {
    const items = readInputRecords(
      'seeds.jsonl',
      seed({ output: 'x'.repeat(INPUT_LIMITS.fieldChars + 1) }),
      'seed',
    );
    expect(items).toEqual([
      {
        where: 'seeds.jsonl:1',
        error: expect.stringContaining(`field data.output has ${INPUT_LIMITS.fieldChars + 1} characters`),
      },
    ]);
  });

  it('refuses a record envelope over the record limit', () => {
    const big = Array.from({ length: 20 }, (_, i) => [`f${i}`, 'y'.repeat(20_000)]);
    const envelope = JSON.stringify({
      id: 'r1',
      type: 'item',
      category: 'c',
      data: Object.fromEntries(big),
      meta: {},
      lineage: [],
      headers: {},
    });
    const [item] = readInputRecords('records.jsonl', envelope, undefined);
    expect(item).toMatchObject({ where: 'records.jsonl:1', error: expect.stringContaining('bytes as JSON') });
  });

  it('refuses a YAML file with an over-long line at that line', () => {
    const yaml = `- category: c\n  instruction: i\n  output: ${'z'.repeat(INPUT_LIMITS.lineBytes + 10)}\n`;
    const items = readInputRecords('seeds.yaml', yaml, 'seed');
    expect(items).toEqual([{ where: 'seeds.yaml:3', error: expect.stringContaining('the line is') }]);
  });
});
