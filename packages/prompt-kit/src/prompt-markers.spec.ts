import { describe, expect, it } from 'vitest';
import { promptMarkers, withJsonPayload } from './prompt-markers.ts';

describe('promptMarkers', () => {
  it('writes task, language and category, one per line, and k only when given', () => {
    expect(promptMarkers({ task: 'judge', lang: 'en', category: 'coding' })).toBe(
      'tane-task: judge\ntane-lang: en\ntane-category: coding',
    );
    expect(
      promptMarkers({ task: 'generate', lang: 'ja', category: 'email-reply', k: 8 }).split('\n'),
    ).toEqual(['tane-task: generate', 'tane-lang: ja', 'tane-category: email-reply', 'tane-k: 8']);
  });
});

describe('withJsonPayload', () => {
  it('fences a payload holding a million backtick runs without overflowing the stack', () => {
    const text = withJsonPayload('Judge this.', undefined, { output: '` '.repeat(1_000_000) });
    expect(text.endsWith('\n```')).toBe(true);
  });

  it('ends the message with the payload as a fenced, indented JSON block', () => {
    const text = withJsonPayload('  Judge this.\n', undefined, { example: { output: '了解です' } });
    expect(text).toBe('Judge this.\n\n```json\n{\n  "example": {\n    "output": "了解です"\n  }\n}\n```');
  });

  it('puts the extra text between the instructions and the payload, and skips a blank one', () => {
    expect(withJsonPayload('A', ' 件名を付ける。 ', [1])).toBe(
      'A\n\n件名を付ける。\n\n```json\n[\n  1\n]\n```',
    );
    expect(withJsonPayload('A', '  \n', [1])).toBe('A\n\n```json\n[\n  1\n]\n```');
  });

  it('uses a longer fence when the payload holds code blocks, so the block cannot end early', () => {
    const text = withJsonPayload('A', undefined, { output: '```sql\nSELECT 1;\n```' });
    expect(text.startsWith('A\n\n````json\n')).toBe(true);
    expect(text.endsWith('\n````')).toBe(true);
    const body = text.slice('A\n\n````json\n'.length, -'\n````'.length);
    expect(JSON.parse(body)).toEqual({ output: '```sql\nSELECT 1;\n```' });
  });
});
