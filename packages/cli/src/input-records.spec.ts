import { INPUT_LIMITS } from '@tane/core';
import { describe, expect, it } from 'vitest';
import { decodeInput, readInputRecords } from './input-records.ts';

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

describe('readInputRecords on real-world input', () => {
  const bytes = (...parts: Array<string | number[]>) =>
    Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

  it('rejects a line with invalid UTF-8, naming file:line and the byte offset, and keeps the others', () => {
    const good = seed({});
    const before = `${good}\n{"category":"summary","instruction":"caf`;
    const offset = Buffer.byteLength(before);
    const input = decodeInput(bytes(before, [0xe9], '","output":"x"}\n', good));
    expect(input.invalid).toEqual([{ line: 2, byte: offset }]);
    const items = readInputRecords('seeds.jsonl', input, 'seed');
    expect(items.filter((i) => 'record' in i)).toHaveLength(2);
    expect(items.find((i) => 'error' in i)).toEqual({
      where: 'seeds.jsonl:2',
      error: expect.stringContaining(`byte offset ${offset}`),
    });
    expect(decodeInput(bytes('ok ', [0xc3, 0xa9], ' 請求書')).invalid).toEqual([]);
  });

  it('names the missing column of a short CSV row', () => {
    const csv =
      'category,instruction,input,output\nsummary,要約してください。,本文,要約です。\nsummary,要約してください。,本文\n';
    const items = readInputRecords('seeds.csv', csv, 'seed');
    expect(items[0]).toHaveProperty('record');
    expect(items[1]).toEqual({
      where: 'seeds.csv:3',
      error: expect.stringContaining("column 'output' is missing"),
    });
  });

  it('keeps extra seed fields (lang, source) in meta.extra instead of refusing the seed', () => {
    const [item] = readInputRecords('seeds.jsonl', seed({ lang: 'ja', source: 'wiki' }), 'seed');
    expect(item).toMatchObject({ record: { type: 'seed', meta: { extra: { lang: 'ja', source: 'wiki' } } } });
    expect((item as { record: { data: object } }).record.data).toEqual({
      instruction: '要約してください。',
      input: '',
      output: '要約です。',
    });
  });
});
