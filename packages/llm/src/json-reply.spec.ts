import { describe, expect, it } from 'vitest';
import { readJsonReply } from './json-reply.ts';

describe('readJsonReply', () => {
  it('reads plain and fenced JSON', () => {
    expect(readJsonReply('{"a":1}')).toEqual({ ok: true, value: { a: 1 } });
    expect(readJsonReply('```json\n{"a":1}\n```')).toEqual({ ok: true, value: { a: 1 } });
    expect(readJsonReply('  ```\n{"a":[1,2]}\n```  ')).toEqual({ ok: true, value: { a: [1, 2] } });
  });

  it('finds the object inside surrounding prose', () => {
    expect(readJsonReply('Here you go:\n{"verdict":"accept"}\nHope this helps.')).toEqual({
      ok: true,
      value: { verdict: 'accept' },
    });
  });

  it('says why a reply is not JSON', () => {
    expect(readJsonReply('')).toEqual({ ok: false, error: 'the reply is empty' });
    const cut = readJsonReply('{"examples": [{"instruction": "x"');
    expect(cut.ok).toBe(false);
    expect(!cut.ok && cut.error).toMatch(/not valid JSON/);
  });
});
