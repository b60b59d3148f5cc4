import type { Example } from '@tane/core';

// `1. Instruction:`, `**Input:**`, `2) 指示:`, `出力：` — anywhere, since a model may put a whole example on one line.
const LABEL =
  /(?:(?<=^|\s)\d{1,3}\s*[.)．]\s*)?(?:#{1,6}\s*)?(?:\*\*)?(?:\b(instruction|input|output)\b|(指示|入力|出力))(?:\*\*)?\s*[:：](?:\*\*)?/gimu;

const NO_INPUT = /^(?:<no\s?input>|none|n\/a|-|なし|(なし)|\(なし\)|入力なし|空)$/i;

const FIELD: Record<string, keyof Example> = {
  instruction: 'instruction',
  input: 'input',
  output: 'output',
  指示: 'instruction',
  入力: 'input',
  出力: 'output',
};

function clean(value: string): string {
  return value
    .replace(/(?:\s*(?:#{3,}|-{3,}|\*{3,}))+\s*$/u, '')
    .replace(/\n\s*\d{1,3}\s*[.)．]\s*$/u, '')
    .trim();
}

/**
 * Parses the Self-Instruct / Alpaca numbered-list format a model falls back to
 * when it ignores the JSON instruction. An item needs an instruction and an
 * output label; items without an output label (usually cut off by
 * `max_tokens`) are dropped. `<noinput>`, `なし` and the like become `""`.
 *
 * @example
 * ```ts
 * parseNumberedList('1. 指示: 要約してください。\n1. 入力: なし\n1. 出力: 要約です。');
 * // [{ instruction: '要約してください。', input: '', output: '要約です。' }]
 * ```
 */
export function parseNumberedList(text: string): Example[] {
  const matches = [...text.matchAll(LABEL)];
  const items: Partial<Record<keyof Example, string>>[] = [];
  let current: Partial<Record<keyof Example, string>> | undefined;
  matches.forEach((m, i) => {
    const field = FIELD[(m[1] ?? m[2] ?? '').toLowerCase()];
    if (!field) return;
    const end = matches[i + 1]?.index ?? text.length;
    const value = clean(text.slice(m.index + m[0].length, end));
    if (field === 'instruction' || !current || current[field] !== undefined) {
      current = {};
      items.push(current);
    }
    current[field] = value;
  });
  const out: Example[] = [];
  for (const item of items) {
    if (!item.instruction || item.output === undefined) continue;
    const input = item.input ?? '';
    out.push({
      instruction: item.instruction,
      input: NO_INPUT.test(input) ? '' : input,
      output: item.output,
    });
  }
  return out;
}
