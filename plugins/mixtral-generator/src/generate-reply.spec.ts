import { describe, expect, it } from 'vitest';
import { parseGenerateReply, salvageTruncatedJson } from './generate-reply.ts';
import { parseNumberedList } from './numbered-list.ts';

describe('parseNumberedList', () => {
  it('reads the Alpaca format with <noinput>', () => {
    const text = [
      '###',
      '1. Instruction: Write a haiku about autumn.',
      '1. Input:',
      '<noinput>',
      '1. Output:',
      'Red leaves drift and fall',
      '###',
      '2. Instruction: Sort these numbers.',
      '2. Input:',
      '3, 1, 2',
      '2. Output:',
      '1, 2, 3',
      '###',
    ].join('\n');
    expect(parseNumberedList(text)).toEqual([
      { instruction: 'Write a haiku about autumn.', input: '', output: 'Red leaves drift and fall' },
      { instruction: 'Sort these numbers.', input: '3, 1, 2', output: '1, 2, 3' },
    ]);
  });

  it('reads a whole example on one line', () => {
    expect(parseNumberedList('1. Instruction: Greet the user. Input: Anna Output: Hello, Anna!')).toEqual([
      { instruction: 'Greet the user.', input: 'Anna', output: 'Hello, Anna!' },
    ]);
  });

  it('reads Japanese labels with full-width colons and なし as no input', () => {
    const text =
      '1. 指示：次の文を敬語に直してください。\n入力：資料見ました。\n出力：資料を拝見しました。\n\n2. 指示：秋の俳句を作ってください。\n入力：なし\n出力：紅葉や 風に舞い散る 午後の庭';
    expect(parseNumberedList(text)).toEqual([
      {
        instruction: '次の文を敬語に直してください。',
        input: '資料見ました。',
        output: '資料を拝見しました。',
      },
      { instruction: '秋の俳句を作ってください。', input: '', output: '紅葉や 風に舞い散る 午後の庭' },
    ]);
  });

  it('keeps multi-line outputs and drops an item cut off before its output', () => {
    const text =
      '1. Instruction: List two fruits.\nInput:\nOutput:\n- apple\n- pear\n2. Instruction: Name a colour.\nInput:';
    expect(parseNumberedList(text)).toEqual([
      { instruction: 'List two fruits.', input: '', output: '- apple\n- pear' },
    ]);
  });

  it('finds nothing in prose', () => {
    expect(parseNumberedList('I am sorry, I cannot help with that.')).toEqual([]);
  });
});

describe('parseGenerateReply', () => {
  const json = { examples: [{ instruction: '要約してください。', input: '本文', output: '要約' }] };

  it('reads JSON wrapped in a code fence or prose', () => {
    expect(parseGenerateReply('Here you go:\n```json\n' + JSON.stringify(json) + '\n```')).toEqual({
      format: 'json',
      examples: json.examples,
    });
    expect(parseGenerateReply('Sure! ' + JSON.stringify(json) + ' Hope this helps.')?.examples).toEqual(
      json.examples,
    );
  });

  it('accepts a bare array and fills a missing input with ""', () => {
    expect(parseGenerateReply('[{"instruction":"Say hi.","output":"Hi."}]')?.examples).toEqual([
      { instruction: 'Say hi.', input: '', output: 'Hi.' },
    ]);
  });

  it('salvages the complete examples of a reply cut off by max_tokens', () => {
    const cut =
      '{"examples": [{"instruction": "A {x}?", "input": "", "output": "say \\"b\\""}, {"instruction": "C", "input": "[", "output": "D"}, {"instruction": "E", "inp';
    expect(salvageTruncatedJson(cut)).toEqual([
      { instruction: 'A {x}?', input: '', output: 'say "b"' },
      { instruction: 'C', input: '[', output: 'D' },
    ]);
    expect(parseGenerateReply(cut)?.format).toBe('json-truncated');
  });

  it('falls back to the numbered list when there is no JSON', () => {
    const reply = parseGenerateReply('1. Instruction: Greet.\nInput: <noinput>\nOutput: Hello.');
    expect(reply).toEqual({
      format: 'numbered-list',
      examples: [{ instruction: 'Greet.', input: '', output: 'Hello.' }],
    });
  });

  it('gives up on text that holds no example', () => {
    expect(parseGenerateReply('{"oops": ')).toBeUndefined();
    expect(parseGenerateReply('申し訳ありませんが、お手伝いできません。')).toBeUndefined();
  });
});
