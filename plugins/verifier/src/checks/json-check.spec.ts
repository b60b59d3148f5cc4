import { describe, expect, it } from 'vitest';
import { checkJson, keysNamedIn } from './json-check.ts';

const INSTRUCTION =
  'Pull the meeting details out of this email as JSON with the keys title, date, location, and agenda.';

describe('checkJson', () => {
  it('takes the keys an instruction lists, leaving sub-keys in brackets out', () => {
    expect(keysNamedIn(INSTRUCTION)).toEqual(['title', 'date', 'location', 'agenda']);
    expect(keysNamedIn('Extract as JSON - vendor, line_items (description, amount), total.')).toEqual([
      'vendor',
      'line_items',
      'total',
    ]);
    expect(keysNamedIn('請求書の内容をJSONで抽出してください。')).toEqual([]);
  });

  it('passes JSON with every named key, fails a missing key or JSON that does not parse', () => {
    const ok = '```json\n{"title": "Review", "date": "2025-09-18", "location": null, "agenda": []}\n```';
    expect(checkJson(INSTRUCTION, ok).status).toBe('passed');
    const missing = checkJson(
      INSTRUCTION,
      '```json\n{"title": "Review", "date": "2025-09-18", "agenda": []}\n```',
    );
    expect(missing.error).toBe(
      'the JSON is missing the key(s) "location" (required: title, date, location, agenda)',
    );
    expect(checkJson(INSTRUCTION, '```json\n{"title": "Review",}\n```').error).toMatch(/does not parse/);
    expect(checkJson(INSTRUCTION, 'The meeting is on Monday.').status).toBe('failed');
    expect(checkJson('Summarise the email.', 'The meeting is on Monday.').status).toBe('skipped');
  });

  it('checks required keys and a JSON Schema from the category', () => {
    const schema = { type: 'object', properties: { total: { type: 'number' } }, required: ['total'] };
    expect(checkJson('JSONで', '{"total": "94,600"}', { schema }).error).toMatch(/\/total must be number/);
    expect(checkJson('JSONで', '{"total": 94600}', { schema, requiredKeys: ['total'] }).status).toBe(
      'passed',
    );
  });
});
