import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DatasetRow } from './dataset-row.ts';
import { type RowSource, toLlmJpEval, toOpenAIChat, toShareGPT, writeExports } from './export-formats.ts';

const row = (id: string, category: string, input = ''): DatasetRow => ({
  id,
  category,
  instruction: '次の文を要約してください。',
  input,
  output: '要約です。',
  meta: { repairs: 0 },
  lineage: [],
});

function source(rows: DatasetRow[]): RowSource {
  const cats = [...new Set(rows.map((r) => r.category))].sort();
  return {
    categories: () => cats.map((category) => ({ category, folder: category })),
    async *rows(category) {
      yield rows.filter((r) => r.category === category);
    },
  };
}

describe('export formats', () => {
  it('writes the llm-jp-eval text with the input block only when there is an input', () => {
    expect(toLlmJpEval(row('a', 'x', '本文'), 'x-0').text).toBe(
      '以下は、タスクを説明する指示と、文脈のある入力の組み合わせです。要求を適切に満たす応答を書きなさい。\n\n' +
        '### 指示:\n次の文を要約してください。\n\n### 入力:\n本文\n\n### 応答:\n要約です。',
    );
    expect(toLlmJpEval(row('a', 'x'), 'x-0').text).not.toContain('### 入力:');
    expect(Object.keys(toLlmJpEval(row('a', 'x'), 'x-0'))).toEqual([
      'ID',
      'instruction',
      'input',
      'output',
      'text',
    ]);
  });

  it('wraps a row of an English category in the English prompt, and a Japanese one in the Japanese prompt', () => {
    const en = {
      ...row('e1', 'x', 'The text.'),
      instruction: 'Summarize the text.',
      output: 'Short.',
      language: 'en',
    };
    const text = toLlmJpEval(en).text;
    expect(text).toBe(
      'Below is an instruction that describes a task, paired with an input that provides further context. ' +
        'Write a response that appropriately completes the request.\n\n' +
        '### Instruction:\nSummarize the text.\n\n### Input:\nThe text.\n\n### Response:\nShort.',
    );
    expect(toLlmJpEval(en).ID).toBe('e1');
    expect(toLlmJpEval({ ...row('j1', 'x'), language: 'ja' }).text).toContain('### 指示:');
  });

  it('puts the instruction and the input in the user turn of the chat formats', () => {
    expect(toOpenAIChat(row('a', 'x', '本文'), { systemPrompt: 'sys' })).toEqual({
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'user', content: '次の文を要約してください。\n\n本文' },
        { role: 'assistant', content: '要約です。' },
      ],
    });
    expect(toShareGPT(row('a', 'x')).conversations.map((c) => c.from)).toEqual(['human', 'gpt']);
  });

  it('writes every configured format as parseable files and removes formats no longer wanted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'exports-'));
    const rows = [row('a', 'summary'), row('b', 'summary', '本文'), row('c', 'reply')];
    const infos = await writeExports(dir, source(rows), [
      'plain',
      'alpaca',
      'openai',
      'sharegpt',
      'llm-jp-eval',
    ]);
    expect(infos.map((i) => [i.path, i.rows])).toEqual([
      ['exports/alpaca.json', 3],
      ['exports/llm-jp-eval/reply.json', 1],
      ['exports/llm-jp-eval/summary.json', 2],
      ['exports/openai.jsonl', 3],
      ['exports/plain.jsonl', 3],
      ['exports/sharegpt.jsonl', 3],
    ]);
    const plain = readFileSync(join(dir, 'exports/plain.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(plain[0]).toEqual({
      id: 'c',
      instruction: '次の文を要約してください。',
      input: '',
      output: '要約です。',
    });
    expect(JSON.parse(readFileSync(join(dir, 'exports/sharegpt.jsonl'), 'utf8').split('\n')[0]!).id).toBe(
      'c',
    );
    expect(JSON.parse(readFileSync(join(dir, 'exports/alpaca.json'), 'utf8'))).toHaveLength(3);
    const jp = JSON.parse(readFileSync(join(dir, 'exports/llm-jp-eval/summary.json'), 'utf8'));
    expect(jp.map((e: { ID: string }) => e.ID)).toEqual(['a', 'b']);

    await writeExports(dir, source(rows), ['plain']);
    expect(existsSync(join(dir, 'exports/alpaca.json'))).toBe(false);
    expect(existsSync(join(dir, 'exports/llm-jp-eval'))).toBe(false);
    expect(existsSync(join(dir, 'exports/plain.jsonl'))).toBe(true);
  });

  it('writes an empty dataset as empty but valid files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'exports-'));
    await writeExports(dir, source([]), ['alpaca', 'plain']);
    expect(JSON.parse(readFileSync(join(dir, 'exports/alpaca.json'), 'utf8'))).toEqual([]);
    expect(readFileSync(join(dir, 'exports/plain.jsonl'), 'utf8')).toBe('');
  });
});
