import { describe, expect, it } from 'vitest';
import { readJsonReply } from './json-reply.ts';

describe('readJsonReply', () => {
  it('reads plain and fenced JSON', () => {
    expect(readJsonReply('{"a":1}')).toEqual({ ok: true, value: { a: 1 }, repaired: false });
    expect(readJsonReply('```json\n{"a":1}\n```')).toEqual({ ok: true, value: { a: 1 }, repaired: false });
    expect(readJsonReply('  ```\n{"a":[1,2]}\n```  ')).toEqual({
      ok: true,
      value: { a: [1, 2] },
      repaired: false,
    });
  });

  it('finds the object inside surrounding prose', () => {
    expect(readJsonReply('Here you go:\n{"verdict":"accept"}\nHope this helps.')).toEqual({
      ok: true,
      value: { verdict: 'accept' },
      repaired: false,
    });
  });

  it('repairs the sloppy JSON real models write: trailing commas, single quotes, comments, preambles, fences', () => {
    const replies = [
      '{"verdict": "accept", "scores": [4, 5,],}',
      "{'verdict': 'accept', 'scores': [4, 5]}",
      '{\n  // my verdict\n  "verdict": "accept", "scores": [4, 5]\n}',
      'Understood. Here is the response:\n```json\n{"verdict": "accept", "scores": [4, 5],}\n```\nLet me know if you need more.',
      'Sure! Here is the JSON you asked for:\n\n{verdict: "accept", scores: [4, 5]}',
      '承知しました。以下はJSONです。\n```\n{"verdict": "accept", "scores": [4, 5]}\n```',
    ];
    for (const reply of replies) {
      const read = readJsonReply(reply);
      expect(read, reply).toMatchObject({ ok: true, value: { verdict: 'accept', scores: [4, 5] } });
    }
    expect(readJsonReply(replies[0]!)).toMatchObject({ repaired: true });
  });

  it('never repairs a reply that was cut off, or prose without JSON, into a value', () => {
    expect(readJsonReply('{"verdict": "accept", "feedback": "good but').ok).toBe(false);
    expect(readJsonReply('I think this example is fine.').ok).toBe(false);
    expect(readJsonReply('{"examples": [{"instruction": "a", "output": "b"}, {"instruction": "c"').ok).toBe(
      false,
    );
  });

  it('says why a reply is not JSON', () => {
    expect(readJsonReply('')).toEqual({ ok: false, error: 'the reply is empty' });
    const cut = readJsonReply('{"examples": [{"instruction": "x"');
    expect(cut.ok).toBe(false);
    expect(!cut.ok && cut.error).toMatch(/not valid JSON/);
  });
});
