import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRecord, recordSchema, validateRecord } from './record.ts';

describe('record envelope', () => {
  it('fills in defaults for meta, lineage and headers', () => {
    const r = validateRecord({
      id: 'a',
      type: 'seed',
      category: 'email-reply',
      data: { instruction: 'x', output: 'y' },
    });
    expect(r).toMatchObject({ meta: {}, lineage: [], headers: {} });
  });

  it('names the offending field of an invalid record', () => {
    expect(() => parseRecord('{"id":"a","type":"seed","data":{}}', 'tane.seeds/0@7')).toThrow(
      /must have required property 'category'/,
    );
    expect(() => parseRecord('{"id":"a","type":"seed","category":"c","data":{},"extra":1}')).toThrow(
      /unknown field 'extra'/,
    );
    expect(() => parseRecord('not json')).toThrow(/not JSON/);
  });

  it('is documented by docs/schemas/record.schema.json, which matches the code', () => {
    const file = resolve(import.meta.dirname, '../../../docs/schemas/record.schema.json');
    const documented = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const { $schema, ...rest } = documented;
    expect($schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(rest).toEqual(JSON.parse(JSON.stringify(recordSchema)));
  });
});
